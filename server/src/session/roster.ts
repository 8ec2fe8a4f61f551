import type { Role, Roster, RosterEntry } from '@samkons/shared';

/** Roles on the patient's side: they say who is physically present with the patient. */
export const isPatientSide = (role: Role | null | undefined): boolean =>
  role === 'patient' || role === 'next_of_kin';

/** People physically present with the patient, shown to everyone in the session. */
export class PresentRoster {
  #roster: Roster = { people: [], setByParticipantId: null };

  get(): Roster {
    return {
      people: [...this.#roster.people],
      setByParticipantId: this.#roster.setByParticipantId,
    };
  }

  /** Replaces the list (the patient side edits it as a whole). */
  set(people: RosterEntry[], byParticipantId: string): Roster {
    this.#roster = {
      people: people.map((p) => ({ name: p.name, relation: p.relation })),
      setByParticipantId: byParticipantId,
    };
    return this.get();
  }
}
