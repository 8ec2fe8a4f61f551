import type { FeatureLang } from '../reports/featureI18n';

/** Strings of the agenda in the call (namespace `agenda`). nn is the default language. */
export const nn = {
  planTitle: 'Plan',
  planEmpty: 'Ingen punkt i planen enno.',
  planWhat: 'Kva skal gjerast',
  planWho: 'Kven har ansvaret',
  planWhen: 'Innan (valfritt)',
  planAdd: 'Legg til i planen',
  planRemove: 'Fjern «{{what}}» frå planen',
  planPatient: 'Pasienten',
  planBy: 'Ansvar: {{name}}',
  planDue: 'Innan {{date}}',
  planDone: 'Gjort',
  planOpen: 'Ikkje gjort',
  planCount: 'Planen har {{n}} punkt',
  planNoCareTeam:
    'Legg helsepersonell til i behandlarteamet på konsultasjonssida for å gje dei ansvar.',
  barLabel: 'Dagsorden',
  offAgenda: 'Dagsordenen er ikkje starta',
  now: 'No: {{title}}',
  next: 'Neste: {{title}}',
  lastPart: 'Siste del',
  start: 'Start dagsordenen: {{title}}',
  goNext: 'Gå vidare til: {{title}}',
  chooseLabel: 'Gå til del',
  choosePlaceholder: 'Vel del …',
  offOption: 'Utanom dagsordenen (alle saman)',
  go: 'Gå',
  optional: '(valfri)',
  staffOnlyNote: 'Berre helsepersonell. Pasient og pårørande ventar på venterommet.',
  privateNoteInside:
    'Samtale åleine med pasienten: berre du, pasienten og dei namngitte ser og høyrer kvarandre.',
  privateNoteSide:
    'Samtale åleine med pasienten pågår. Du er i eit sidemøte: de ser og høyrer kvarandre, men ikkje den private samtalen.',
  sideRoomWith: 'I sidemøtet: {{names}}',
  privateWith: 'I den private samtalen: {{names}}',
  nobodyElse: 'ingen andre enno',
  moved: 'Møtet er no i delen «{{title}}».',
  heldTitle: 'Møtet startar snart',
  heldText:
    'Helsepersonellet førebur seg. Du kjem inn i møtet av deg sjølv når det startar, og treng ikkje gjere noko.',
  heldInLobby: 'Ventar til førebuinga er ferdig',
  heldAdmitHint: 'Kjem inn av seg sjølv ved neste del',
};

export type AgendaStrings = typeof nn;

export const nb: AgendaStrings = {
  planTitle: 'Plan',
  planEmpty: 'Ingen punkter i planen ennå.',
  planWhat: 'Hva skal gjøres',
  planWho: 'Hvem har ansvaret',
  planWhen: 'Innen (valgfritt)',
  planAdd: 'Legg til i planen',
  planRemove: 'Fjern «{{what}}» fra planen',
  planPatient: 'Pasienten',
  planBy: 'Ansvar: {{name}}',
  planDue: 'Innen {{date}}',
  planDone: 'Gjort',
  planOpen: 'Ikke gjort',
  planCount: 'Planen har {{n}} punkter',
  planNoCareTeam:
    'Legg helsepersonell til i behandlerteamet på konsultasjonssiden for å gi dem ansvar.',
  barLabel: 'Agenda',
  offAgenda: 'Agendaen er ikke startet',
  now: 'Nå: {{title}}',
  next: 'Neste: {{title}}',
  lastPart: 'Siste del',
  start: 'Start agendaen: {{title}}',
  goNext: 'Gå videre til: {{title}}',
  chooseLabel: 'Gå til del',
  choosePlaceholder: 'Velg del …',
  offOption: 'Utenom agendaen (alle sammen)',
  go: 'Gå',
  optional: '(valgfri)',
  staffOnlyNote: 'Bare helsepersonell. Pasient og pårørende venter på venterommet.',
  privateNoteInside:
    'Samtale alene med pasienten: bare du, pasienten og de navngitte ser og hører hverandre.',
  privateNoteSide:
    'Samtale alene med pasienten pågår. Du er i et sidemøte: dere ser og hører hverandre, men ikke den private samtalen.',
  sideRoomWith: 'I sidemøtet: {{names}}',
  privateWith: 'I den private samtalen: {{names}}',
  nobodyElse: 'ingen andre ennå',
  moved: 'Møtet er nå i delen «{{title}}».',
  heldTitle: 'Møtet starter snart',
  heldText:
    'Helsepersonellet forbereder seg. Du kommer inn i møtet av deg selv når det starter, og trenger ikke gjøre noe.',
  heldInLobby: 'Venter til forberedelsen er ferdig',
  heldAdmitHint: 'Kommer inn av seg selv ved neste del',
};

export const en: AgendaStrings = {
  planTitle: 'Plan',
  planEmpty: 'No items in the plan yet.',
  planWhat: 'What is to be done',
  planWho: 'Who is responsible',
  planWhen: 'By (optional)',
  planAdd: 'Add to the plan',
  planRemove: 'Remove “{{what}}” from the plan',
  planPatient: 'The patient',
  planBy: 'Responsible: {{name}}',
  planDue: 'By {{date}}',
  planDone: 'Done',
  planOpen: 'Not done',
  planCount: 'The plan has {{n}} items',
  planNoCareTeam:
    'Add health personnel to the care team on the consultation page to make them responsible.',
  barLabel: 'Agenda',
  offAgenda: 'The agenda has not started',
  now: 'Now: {{title}}',
  next: 'Next: {{title}}',
  lastPart: 'Last part',
  start: 'Start the agenda: {{title}}',
  goNext: 'Move on to: {{title}}',
  chooseLabel: 'Go to part',
  choosePlaceholder: 'Choose a part …',
  offOption: 'Off the agenda (everyone together)',
  go: 'Go',
  optional: '(optional)',
  staffOnlyNote: 'Health personnel only. The patient and next of kin wait in the waiting room.',
  privateNoteInside:
    'Talk with the patient alone: only you, the patient and the people named see and hear each other.',
  privateNoteSide:
    'The talk with the patient alone is going on. You are in a side room: you see and hear each other, but not the private talk.',
  sideRoomWith: 'In the side room: {{names}}',
  privateWith: 'In the private talk: {{names}}',
  nobodyElse: 'nobody else yet',
  moved: 'The meeting is now in the part “{{title}}”.',
  heldTitle: 'The meeting will start shortly',
  heldText:
    'The health personnel are preparing. You will be taken into the meeting by yourself when it starts; there is nothing you need to do.',
  heldInLobby: 'Waiting until the preparation is over',
  heldAdmitHint: 'Comes in by themselves at the next part',
};

export const agendaBundles: Record<FeatureLang, AgendaStrings> = { nn, nb, en };
