import type { FastifyInstance } from 'fastify';
import { buildApp } from '../app.js';
import { loadConfig } from '../config.js';
import type { Database, DriverName } from '../db/database.js';
import { openTestDatabase } from '../db/testing.js';
import { createDomainServices, type DomainServices } from './services.js';

export interface TestApp {
  app: FastifyInstance;
  db: Database;
  services: DomainServices;
  close(): Promise<void>;
}

/** The real HTTP app on a fresh database, for `app.inject()` tests. */
export async function buildTestApp(
  driver: DriverName,
  env: Record<string, string> = {},
): Promise<TestApp> {
  const config = loadConfig({
    LOG_LEVEL: 'silent',
    JWT_SECRET: 'test-secret-that-is-long-enough-0123456789',
    PUBLIC_URL: 'https://samkons.test',
    DEMO_DATA: 'false',
    LOGIN_RATE_LIMIT_PER_MINUTE: '1000',
    ...env,
  });
  const db = await openTestDatabase(driver);
  const services = createDomainServices(config, db);
  const app = await buildApp({ config, domain: services });
  await app.ready();
  return {
    app,
    db,
    services,
    async close() {
      await app.close();
      await db.close();
    },
  };
}

export interface StaffLogin {
  accountId: string;
  participantName: string;
  role: 'specialist' | 'gp' | 'municipal';
  accessToken: string;
  principal: import('../policy/principal.js').StaffPrincipal;
}

let accountCounter = 0;

/** Creates a staff account and logs it in through the API. */
export async function staffLogin(
  t: TestApp,
  role: StaffLogin['role'],
  name = `${role} ${++accountCounter}`,
): Promise<StaffLogin> {
  const username = `${role}-${accountCounter}-${Math.random().toString(36).slice(2, 8)}`;
  const password = `pw-${username}`;
  const accountId = await t.db.transaction((tx) =>
    t.services.auth.createAccount(tx, {
      username,
      password,
      name,
      role,
      organisation: `${role} org`,
    }),
  );
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/auth/login',
    payload: { username, password },
  });
  if (res.statusCode !== 200) throw new Error(`login failed: ${res.body}`);
  const body = res.json<{ accessToken: string }>();
  return {
    accountId,
    participantName: name,
    role,
    accessToken: body.accessToken,
    principal: {
      kind: 'staff',
      accountId,
      username,
      role,
      name,
      organisation: `${role} org`,
      assuranceLevel: 'low',
      loginSessionId: 'test',
    },
  };
}

const worldMeta = { clientAddress: '127.0.0.1' };

export interface World {
  consultation: import('@samkons/shared').Consultation;
  byRole: Record<
    'specialist' | 'gp' | 'municipal' | 'patient' | 'next_of_kin' | 'interpreter',
    string
  >;
  /** Session tokens from invite links, per non-staff role. */
  tokens: Record<'patient' | 'next_of_kin' | 'interpreter', string>;
}

type WorldStaff = { specialist: StaffLogin; gp: StaffLogin; municipal: StaffLogin };
type WorldOptions = {
  patientBirthDate?: string;
  guardian?: boolean;
  /** The municipal staff member is a delegate of the organiser (manages the booking). */
  municipalDelegate?: boolean;
};

/**
 * A co-consultation organised by `staff.specialist` with gp and municipal staff (no
 * contact details), an adult patient (e-mail), a next of kin (mobile) and an interpreter
 * (e-mail), booked only: no invite is exchanged, so it may lie outside their window.
 */
export async function bookWorld(
  t: TestApp,
  staff: WorldStaff,
  startsAt: Date,
  opts: WorldOptions = {},
): Promise<Omit<World, 'tokens'>> {
  const c = await t.services.booking.create(
    staff.specialist.principal,
    {
      kind: 'co_consultation',
      title: 'Matrix',
      startsAt: startsAt.toISOString(),
      endsAt: new Date(startsAt.getTime() + 45 * 60_000).toISOString(),
      documentingOrganisation: 'Helse Bergen',
      participants: [
        {
          role: 'gp',
          name: staff.gp.participantName,
          joinsFrom: 'gp_office',
          travelDistanceKm: 0,
          accountId: staff.gp.accountId,
        },
        {
          role: 'municipal',
          name: staff.municipal.participantName,
          joinsFrom: 'home',
          travelDistanceKm: 0,
          accountId: staff.municipal.accountId,
          delegate: opts.municipalDelegate ?? false,
        },
        {
          role: 'patient',
          name: 'Pasient',
          joinsFrom: 'home',
          travelDistanceKm: 90,
          birthDate: opts.patientBirthDate ?? '1950-05-05',
          email: 'p@example.no',
        },
        {
          role: 'next_of_kin',
          name: 'Pårørande',
          joinsFrom: 'home',
          travelDistanceKm: 40,
          isGuardian: opts.guardian ?? false,
          mobile: '+4790000000',
        },
        {
          role: 'interpreter',
          name: 'Tolk',
          joinsFrom: 'home',
          travelDistanceKm: 0,
          email: 't@example.no',
        },
      ],
    },
    worldMeta,
  );
  const find = (pred: (p: (typeof c.participants)[number]) => boolean) => {
    const p = c.participants.find(pred);
    if (!p) throw new Error('participant missing');
    return p;
  };
  const byRole = {
    specialist: find((p) => p.accountId === staff.specialist.accountId).id,
    gp: find((p) => p.accountId === staff.gp.accountId).id,
    municipal: find((p) => p.accountId === staff.municipal.accountId).id,
    patient: find((p) => p.role === 'patient').id,
    next_of_kin: find((p) => p.role === 'next_of_kin').id,
    interpreter: find((p) => p.role === 'interpreter').id,
  };
  return { consultation: c, byRole };
}

/** `bookWorld`, plus a session token from each non-staff participant's invite. */
export async function createWorld(
  t: TestApp,
  staff: WorldStaff,
  startsAt: Date,
  opts: WorldOptions = {},
): Promise<World> {
  const { consultation: c, byRole } = await bookWorld(t, staff, startsAt, opts);
  const tokens = {} as World['tokens'];
  for (const role of ['patient', 'next_of_kin', 'interpreter'] as const) {
    const p = c.participants.find((x) => x.id === byRole[role])!;
    const link = await t.db.transaction((tx) => t.services.auth.inviteLink(tx, c, p));
    tokens[role] = (await t.services.auth.exchangeInvite(link.token, worldMeta)).sessionToken;
  }
  return { consultation: c, byRole, tokens };
}
