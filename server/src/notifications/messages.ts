import type { NotificationKind } from '@samkons/shared';

/**
 * The texts of every message a participant receives (invite, change, reminder,
 * cancellation, and the survey after the session), in nynorsk, bokmål and English.
 * Pure: the notifier gathers the facts, this module only words them, so every text is
 * tested as rendered.
 */

export const MESSAGE_LANGUAGES = ['nn', 'nb', 'en'] as const;
export type MessageLanguage = (typeof MESSAGE_LANGUAGES)[number];
export type MessageKind = NotificationKind;

export interface MessageFacts {
  kind: MessageKind;
  channel: 'email' | 'sms';
  language: MessageLanguage;
  recipientName: string;
  /** Who booked the meeting ("Dr. Ingrid Vik"), when known. */
  organiserName: string | null;
  /** The organisation responsible ("Helse Bergen, Haukeland universitetssjukehus"). */
  organisation: string;
  title: string | null;
  startsAt: string;
  endsAt: string;
  /** The personal (short) link: to the pre-join, or to the survey after the session. */
  link: string | null;
  /** How long before the start the link opens. */
  opensMinutesBefore: number;
  /** The number to call with questions; the line is left out when none is configured. */
  contactPhone: string | null;
  cancelReason?: string | null;
  /** Staff join from their own login: no device or trust advice meant for patients. */
  staff?: boolean;
}

export interface RenderedMessage {
  subject: string;
  body: string;
}

// Weekday and month names of our own: the server's ICU data may lack nynorsk, and a
// message must never come out in the wrong written standard.
const WEEKDAYS: Record<MessageLanguage, readonly string[]> = {
  nn: ['sundag', 'måndag', 'tysdag', 'onsdag', 'torsdag', 'fredag', 'laurdag'],
  nb: ['søndag', 'mandag', 'tirsdag', 'onsdag', 'torsdag', 'fredag', 'lørdag'],
  en: ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'],
};
/** Nynorsk and bokmål share the month names. */
const NORWEGIAN_MONTHS = [
  'januar',
  'februar',
  'mars',
  'april',
  'mai',
  'juni',
  'juli',
  'august',
  'september',
  'oktober',
  'november',
  'desember',
] as const;
const MONTHS: Record<MessageLanguage, readonly string[]> = {
  nn: NORWEGIAN_MONTHS,
  nb: NORWEGIAN_MONTHS,
  en: [
    'January',
    'February',
    'March',
    'April',
    'May',
    'June',
    'July',
    'August',
    'September',
    'October',
    'November',
    'December',
  ],
};

/** Wall-clock parts in Norway's time zone (numeric only: no locale names needed). */
function osloParts(iso: string) {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone: 'Europe/Oslo',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(new Date(iso));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const year = get('year');
  const month = get('month');
  const day = get('day');
  const hour = get('hour');
  const minute = get('minute');
  // The weekday of a calendar date does not depend on the time zone.
  const weekday = new Date(Date.UTC(year, month - 1, day)).getUTCDay();
  return { year, month, day, hour, minute, weekday };
}

const two = (n: number) => String(n).padStart(2, '0');

/** "09:30": 24-hour clock, no seconds, Norwegian time. */
export function clockTime(iso: string): string {
  const p = osloParts(iso);
  return `${two(p.hour)}:${two(p.minute)}`;
}

/** "tysdag 1. desember 2026" / "Tuesday 1 December 2026", Norwegian calendar date. */
export function longDate(iso: string, lng: MessageLanguage): string {
  const p = osloParts(iso);
  const weekday = WEEKDAYS[lng][p.weekday]!;
  const month = MONTHS[lng][p.month - 1]!;
  return lng === 'en'
    ? `${weekday} ${p.day} ${month} ${p.year}`
    : `${weekday} ${p.day}. ${month} ${p.year}`;
}

/** "tysdag 1. desember 2026 kl. 09:30" / "Tuesday 1 December 2026 at 09:30". */
export function longDateTime(iso: string, lng: MessageLanguage): string {
  return `${longDate(iso, lng)} ${lng === 'en' ? 'at' : 'kl.'} ${clockTime(iso)}`;
}

interface Words {
  subject: Record<MessageKind, string>;
  greeting: (name: string) => string;
  lead: Record<MessageKind, (who: string, what: string) => string>;
  meeting: string;
  defaultTitle: string;
  from: (organiser: string | null, organisation: string) => string;
  when: string;
  reason: string;
  prepareHeading: string;
  prepare: readonly string[];
  join: string;
  opens: (minutes: number) => string;
  staffJoin: string;
  survey: string;
  call: (phone: string) => string;
  callNoPhone: string;
  trust: string;
  smsPrepare: string;
}

const WORDS: Record<MessageLanguage, Words> = {
  nn: {
    subject: {
      invite: 'Invitasjon til videomøte',
      change: 'Ny tid for videomøtet',
      reminder: 'Påminning om videomøte',
      cancellation: 'Videomøtet er avlyst',
      survey: 'Korleis gjekk videomøtet?',
    },
    greeting: (n) => `Hei, ${n}.`,
    lead: {
      invite: (who, what) => `${who} inviterer deg til ${what}.`,
      change: (who, what) => `${who} har flytta ${what}. Her er den nye tida.`,
      reminder: (who, what) => `Hugs ${what} med ${who}.`,
      cancellation: (who, what) => `${who} har avlyst ${what}.`,
      survey: (who, what) => `Takk for at du var med på ${what} med ${who}.`,
    },
    meeting: 'videomøtet',
    defaultTitle: 'eit videomøte',
    from: (o, org) => (o ? `${o} ved ${org}` : org),
    when: 'Tid',
    reason: 'Grunn',
    prepareHeading: 'Slik førebur du deg',
    prepare: [
      'Bruk ein PC, eit nettbrett eller ein mobil med kamera og mikrofon.',
      'Finn ein roleg stad med god dekning eller trådlaust nett.',
      'Opne lenkja 10 minutt før, så rekk du å prøve lyd og bilete.',
      'Skriv gjerne ned spørsmål og kva medisinar du bruker.',
    ],
    join: 'Bli med i møtet',
    opens: (m) => `Lenkja opnar ${m} minutt før møtet. Ho er berre for deg: ikkje del ho.`,
    staffJoin: 'Opne møtet etter at du har logga inn',
    survey:
      'Vil du svare på nokre korte spørsmål om korleis det gjekk? Det tek om lag to minutt, og svara hjelper oss å gjere tilbodet betre.',
    call: (p) => `Spørsmål, eller treng du ei anna tid? Ring ${p}.`,
    callNoPhone: 'Spørsmål, eller treng du ei anna tid? Ta kontakt med den som kalla deg inn.',
    trust: 'Vi spør aldri om passord eller BankID-kodar på SMS eller e-post.',
    smsPrepare: 'Ha kamera og lyd klart 10 min før.',
  },
  nb: {
    subject: {
      invite: 'Invitasjon til videomøte',
      change: 'Ny tid for videomøtet',
      reminder: 'Påminnelse om videomøte',
      cancellation: 'Videomøtet er avlyst',
      survey: 'Hvordan gikk videomøtet?',
    },
    greeting: (n) => `Hei, ${n}.`,
    lead: {
      invite: (who, what) => `${who} inviterer deg til ${what}.`,
      change: (who, what) => `${who} har flyttet ${what}. Her er det nye tidspunktet.`,
      reminder: (who, what) => `Husk ${what} med ${who}.`,
      cancellation: (who, what) => `${who} har avlyst ${what}.`,
      survey: (who, what) => `Takk for at du var med på ${what} med ${who}.`,
    },
    meeting: 'videomøtet',
    defaultTitle: 'et videomøte',
    from: (o, org) => (o ? `${o} ved ${org}` : org),
    when: 'Tid',
    reason: 'Grunn',
    prepareHeading: 'Slik forbereder du deg',
    prepare: [
      'Bruk en PC, et nettbrett eller en mobil med kamera og mikrofon.',
      'Finn et rolig sted med god dekning eller trådløst nett.',
      'Åpne lenken 10 minutter før, så rekker du å prøve lyd og bilde.',
      'Skriv gjerne ned spørsmål og hvilke medisiner du bruker.',
    ],
    join: 'Bli med i møtet',
    opens: (m) => `Lenken åpner ${m} minutter før møtet. Den er bare for deg: ikke del den.`,
    staffJoin: 'Åpne møtet etter at du har logget inn',
    survey:
      'Vil du svare på noen korte spørsmål om hvordan det gikk? Det tar omtrent to minutter, og svarene hjelper oss å gjøre tilbudet bedre.',
    call: (p) => `Spørsmål, eller trenger du et annet tidspunkt? Ring ${p}.`,
    callNoPhone:
      'Spørsmål, eller trenger du et annet tidspunkt? Ta kontakt med den som kalte deg inn.',
    trust: 'Vi spør aldri om passord eller BankID-koder på SMS eller e-post.',
    smsPrepare: 'Ha kamera og lyd klart 10 min før.',
  },
  en: {
    subject: {
      invite: 'Invitation to a video meeting',
      change: 'New time for your video meeting',
      reminder: 'Reminder: video meeting',
      cancellation: 'Your video meeting is cancelled',
      survey: 'How did the video meeting go?',
    },
    greeting: (n) => `Hello ${n},`,
    lead: {
      invite: (who, what) => `${who} invites you to ${what}.`,
      change: (who, what) => `${who} has moved ${what}. Here is the new time.`,
      reminder: (who, what) => `A reminder of ${what} with ${who}.`,
      cancellation: (who, what) => `${who} has cancelled ${what}.`,
      survey: (who, what) => `Thank you for taking part in ${what} with ${who}.`,
    },
    meeting: 'the video meeting',
    defaultTitle: 'a video meeting',
    from: (o, org) => (o ? `${o} at ${org}` : org),
    when: 'When',
    reason: 'Reason',
    prepareHeading: 'How to prepare',
    prepare: [
      'Use a computer, tablet or mobile phone with a camera and microphone.',
      'Find a quiet place with good mobile coverage or Wi-Fi.',
      'Open the link 10 minutes early so you can test sound and picture.',
      'You may want to write down your questions and the medicines you take.',
    ],
    join: 'Join the meeting',
    opens: (m) =>
      `The link opens ${m} minutes before the meeting. It is for you only: do not share it.`,
    staffJoin: 'Open the meeting after logging in',
    survey:
      'Would you answer a few short questions about how it went? It takes about two minutes, and your answers help us improve the service.',
    call: (p) => `Questions, or need another time? Call ${p}.`,
    callNoPhone: 'Questions, or need another time? Contact whoever invited you.',
    trust: 'We never ask for passwords or BankID codes by text message or e-mail.',
    smsPrepare: 'Have your camera and sound ready 10 min early.',
  },
};

/** Renders one message; e-mail gets the full text, SMS a short one with the same facts. */
export function renderMessage(f: MessageFacts): RenderedMessage {
  const w = WORDS[f.language];
  const date = longDateTime(f.startsAt, f.language);
  const subject =
    f.kind === 'survey'
      ? `${w.subject.survey} (${longDate(f.startsAt, f.language)})`
      : `${w.subject[f.kind]}: ${date}`;
  const who = w.from(f.organiserName, f.organisation);
  const what = f.title ? `«${f.title}»` : f.kind === 'invite' ? w.defaultTitle : w.meeting;
  const lead = w.lead[f.kind](who, what);
  const when = `${w.when}: ${date}–${clockTime(f.endsAt)}`;
  const call = f.contactPhone ? w.call(f.contactPhone) : w.callNoPhone;
  const reason =
    f.kind === 'cancellation' && f.cancelReason ? `${w.reason}: ${f.cancelReason}` : null;
  const joins = f.kind === 'invite' || f.kind === 'change' || f.kind === 'reminder';

  if (f.channel === 'sms') {
    // The sender line names the organisation; the sentence only the organiser.
    const smsLead = w.lead[f.kind](f.organiserName ?? f.organisation, what);
    const parts = [
      `${f.organisation}: ${smsLead}`,
      f.kind === 'survey' ? null : `${w.when}: ${date}.`,
      reason,
      joins && !f.staff ? w.smsPrepare : null,
      f.link,
      f.kind === 'survey' ? null : call,
      f.staff ? null : w.trust,
    ];
    return { subject, body: parts.filter((x): x is string => !!x).join('\n') };
  }

  const lines: (string | null)[] = [w.greeting(f.recipientName), '', lead, ''];
  if (f.kind !== 'survey') lines.push(when);
  if (reason) lines.push(reason);
  if (joins && !f.staff) {
    lines.push('', `${w.prepareHeading}:`, ...w.prepare.map((p) => `- ${p}`));
  }
  if (f.link) {
    lines.push('');
    if (f.kind === 'survey') lines.push(w.survey);
    else lines.push(`${f.staff ? w.staffJoin : w.join}:`);
    lines.push(f.link);
    if (joins && !f.staff) lines.push(w.opens(f.opensMinutesBefore));
  }
  lines.push('', call);
  if (!f.staff) lines.push(w.trust);
  lines.push('', `${who}`);
  return { subject, body: lines.filter((x): x is string => x !== null).join('\n') };
}
