import { randomUUID } from 'node:crypto';
import type { Database } from '../db/database.js';
import { accountsRepo } from '../db/accounts-repo.js';
import type { DomainServices } from '../booking/services.js';
import type { StaffPrincipal } from '../policy/principal.js';

/** Fixed demo logins, printed at start-up. Never enable DEMO_DATA in production. */
export const DEMO_ACCOUNTS = [
  {
    username: 'spesialist',
    password: 'demo-spesialist',
    name: 'Dr. Ingrid Haukeland',
    role: 'specialist',
    organisation: 'Helse Bergen, Haukeland universitetssjukehus',
  },
  {
    username: 'fastlege',
    password: 'demo-fastlege',
    name: 'Dr. Ola Nordhordland',
    role: 'gp',
    organisation: 'Knarvik legesenter',
  },
  {
    username: 'sjukepleiar',
    password: 'demo-sjukepleiar',
    name: 'Kari Heimetenesta',
    role: 'municipal',
    organisation: 'Alver kommune, heimesjukepleien',
  },
] as const;

/** The next quarter hour from now plus `minutes`: today's demo is always joinable. */
const soon = (minutes: number) => {
  const t = Date.now() + minutes * 60_000;
  return new Date(Math.ceil(t / 900_000) * 900_000).toISOString();
};

const at = (dayOffset: number, hour: number, minute = 0) => {
  const d = new Date();
  d.setUTCDate(d.getUTCDate() + dayOffset);
  d.setUTCHours(hour, minute, 0, 0);
  return d.toISOString();
};

/** Seeds accounts and a few consultations when the database has no accounts yet. */
export async function seedDemoData(db: Database, services: DomainServices): Promise<boolean> {
  if ((await accountsRepo.count(db)) > 0) return false;
  // The three password hashes at once, on libuv's thread pool: one after another they were
  // most of the seeding, which every start of the embedded default (and every test server) waits for.
  const ids = await db.transaction((tx) =>
    Promise.all(DEMO_ACCOUNTS.map((a) => services.auth.createAccount(tx, { ...a }))),
  );
  const [specialistId, gpId, nurseId] = ids as [string, string, string];
  const staff = (i: 0 | 1 | 2, id: string): StaffPrincipal => ({
    kind: 'staff',
    accountId: id,
    username: DEMO_ACCOUNTS[i].username,
    role: DEMO_ACCOUNTS[i].role,
    name: DEMO_ACCOUNTS[i].name,
    organisation: DEMO_ACCOUNTS[i].organisation,
    assuranceLevel: 'low',
    loginSessionId: randomUUID(),
  });
  const meta = { clientAddress: null };
  const specialist = staff(0, specialistId);

  // Today, a co-consultation about an elderly patient at home with her daughter.
  const today = await services.booking.create(
    specialist,
    {
      kind: 'co_consultation',
      title: 'Oppfølging hjartesvikt',
      startsAt: soon(15),
      endsAt: soon(60),
      documentingOrganisation: 'Helse Bergen',
      participants: [
        {
          role: 'gp',
          name: DEMO_ACCOUNTS[1].name,
          organisation: DEMO_ACCOUNTS[1].organisation,
          joinsFrom: 'gp_office',
          travelDistanceKm: 0,
          accountId: gpId,
        },
        {
          role: 'municipal',
          name: DEMO_ACCOUNTS[2].name,
          organisation: DEMO_ACCOUNTS[2].organisation,
          joinsFrom: 'home',
          travelDistanceKm: 0,
          accountId: nurseId,
        },
        {
          role: 'patient',
          name: 'Astrid Pasient',
          joinsFrom: 'home',
          travelDistanceKm: 92,
          birthDate: '1941-03-14',
          mobile: '+4791234567',
        },
        {
          role: 'next_of_kin',
          name: 'Liv Pasient (dotter)',
          joinsFrom: 'home',
          travelDistanceKm: 60,
          email: 'liv@example.no',
        },
      ],
    },
    meta,
  );
  const patient = today.participants.find((p) => p.role === 'patient');
  const clinician = today.participants.find((p) => p.accountId === specialistId);
  if (patient && clinician) {
    await services.consent.give(
      specialist,
      today.id,
      {
        method: 'verbal',
        givenByParticipantId: patient.id,
        coveredParticipantIds: today.participants.map((p) => p.id),
        shareHealthInfo: true,
      },
      meta,
    );
  }

  // Tomorrow, guidance between specialist and GP without the patient.
  await services.booking.create(
    specialist,
    {
      kind: 'guidance',
      title: 'Rettleiing: medisinering',
      startsAt: at(1, 9, 0),
      endsAt: at(1, 9, 30),
      documentingOrganisation: 'Knarvik legesenter',
      participants: [
        {
          role: 'gp',
          name: DEMO_ACCOUNTS[1].name,
          organisation: DEMO_ACCOUNTS[1].organisation,
          joinsFrom: 'gp_office',
          travelDistanceKm: 0,
          accountId: gpId,
        },
      ],
    },
    meta,
  );

  // Next week, a discharge meeting for a 13-year-old, the mother as guardian, with an interpreter.
  await services.booking.create(
    specialist,
    {
      kind: 'discharge_meeting',
      title: 'Samarbeidsmøte før utskriving',
      startsAt: at(7, 12, 0),
      endsAt: at(7, 13, 0),
      documentingOrganisation: 'Helse Bergen',
      participants: [
        {
          role: 'municipal',
          name: DEMO_ACCOUNTS[2].name,
          organisation: DEMO_ACCOUNTS[2].organisation,
          joinsFrom: 'municipal_office',
          travelDistanceKm: 0,
          accountId: nurseId,
        },
        {
          role: 'patient',
          name: 'Emil Ung',
          joinsFrom: 'hospital',
          travelDistanceKm: 0,
          birthDate: `${new Date().getUTCFullYear() - 13}-01-20`,
        },
        {
          role: 'next_of_kin',
          name: 'Sara Ung (mor)',
          joinsFrom: 'hospital',
          travelDistanceKm: 0,
          isGuardian: true,
          email: 'sara@example.no',
        },
        {
          role: 'interpreter',
          name: 'Tolk Ali',
          organisation: 'Tolketenesta Vest',
          joinsFrom: 'home',
          travelDistanceKm: 0,
          email: 'tolk@example.no',
        },
      ],
    },
    meta,
  );
  return true;
}

export function demoLoginHelp(publicUrl: string): string {
  const lines = DEMO_ACCOUNTS.map((a) => `  ${a.role.padEnd(10)} ${a.username} / ${a.password}`);
  return [
    `samkons is running: open ${publicUrl} and log in with a demo account`,
    ...lines,
    'Invite links for the patient and next of kin are on each consultation page.',
  ].join('\n');
}
