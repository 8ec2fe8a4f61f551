import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { Agenda, Consultation, InviteLink, SessionTokenResponse } from '@samkons/shared';
import { apiCall, demoSpecialistToken, demoStaffLogin, participantContext } from './journey.js';
import { recordReceivedMedia, useSignatureMedia, type Signature } from './media-probe.js';

/**
 * The LKT collaboration meeting's cast for browser tests: the demo specialist (host), the
 * GP, a 14-year-old patient and both parents (guardians), each with media a probe can
 * recognise (tests/support/media-probe.ts).
 */
export type Who = 'spec' | 'gp' | 'patient' | 'mother' | 'father';

export const SIGNATURES: Record<Who, Signature> = {
  spec: { rgb: [30, 60, 200], toneHz: 440 },
  gp: { rgb: [30, 170, 60], toneHz: 620 },
  patient: { rgb: [210, 40, 40], toneHz: 770 },
  mother: { rgb: [230, 200, 40], toneHz: 930 },
  father: { rgb: [170, 50, 190], toneHz: 1130 },
};

export const NAMES: Record<Exclude<Who, 'spec'>, string> = {
  gp: 'Frida Fastlege',
  patient: 'Siri Solberg',
  mother: 'Mona Solberg',
  father: 'Frode Solberg',
};

export interface LktMeeting {
  consultation: Consultation;
  agenda: Agenda;
  /** The host's staff access token (REST as the specialist). */
  staffToken: string;
  sessions: Record<Who, SessionTokenResponse>;
}

/**
 * The demo specialist books a co-consultation two hours out (the server must open invites
 * that early) with the kind's agenda; the mother consents to everyone; every participant's
 * session token is issued as the pre-join page would.
 */
export async function bookLktMeeting(
  baseUrl: string,
  opts: {
    who?: readonly Who[];
    /**
     * Book the patient with this national identity number: she then joins (and later sees
     * the plan) through the patient entry with ID-porten; no link session is made for her.
     */
    patientNationalId?: string;
  } = {},
): Promise<LktMeeting> {
  const who = new Set(opts.who ?? (['spec', 'gp', 'patient', 'mother', 'father'] as const));
  const api = <T>(path: string, token: string | null, body?: unknown) =>
    apiCall<T>(baseUrl, path, token, body);
  const staffToken = await demoSpecialistToken(baseUrl);
  const start = new Date(Math.ceil((Date.now() + 2 * 3600_000) / 900_000) * 900_000);
  const home = { joinsFrom: 'home', travelDistanceKm: 75 } as const;
  // The GP is booked with the demo GP's account and joins by that login: straight in, as
  // staff do (a GP holding only a link would wait in the lobby).
  const gpLogin = who.has('gp') ? await demoStaffLogin(baseUrl, 'gp') : null;
  const invitees = [
    gpLogin && {
      role: 'gp',
      name: NAMES.gp,
      accountId: gpLogin.accountId,
      organisation: 'Knarvik legesenter',
      joinsFrom: 'gp_office',
      travelDistanceKm: 0,
    },
    {
      role: 'patient',
      name: NAMES.patient,
      birthDate: PATIENT_BIRTH_DATE,
      ...(opts.patientNationalId ? { nationalId: opts.patientNationalId } : {}),
      ...home,
    },
    { role: 'next_of_kin', name: NAMES.mother, isGuardian: true, ...home },
    who.has('father') && { role: 'next_of_kin', name: NAMES.father, isGuardian: true, ...home },
  ].filter(Boolean);
  const consultation = await api<Consultation>('/consultations', staffToken, {
    kind: 'co_consultation',
    title: 'Samarbeidsmøte: Siri, 14 år',
    startsAt: start.toISOString(),
    endsAt: new Date(start.getTime() + 60 * 60_000).toISOString(),
    documentingOrganisation: 'Helse Bergen',
    participants: invitees,
  });
  const agenda = await api<Agenda>(`/consultations/${consultation.id}/agenda`, staffToken);
  const exchange = async (name: string): Promise<SessionTokenResponse> => {
    const p = consultation.participants.find((x) => x.name === name)!;
    const link = await api<InviteLink>(
      `/consultations/${consultation.id}/participants/${p.id}/invite`,
      staffToken,
      {},
    );
    return api<SessionTokenResponse>('/invites/exchange', null, { token: link.token });
  };
  const sessions = {} as Record<Who, SessionTokenResponse>;
  sessions.mother = await exchange(NAMES.mother);
  // The guardian consents to everyone taking part (the patient is under 16).
  await api(`/consultations/${consultation.id}/consents`, sessions.mother.sessionToken, {
    method: 'in_app',
    coveredParticipantIds: consultation.participants.map((p) => p.id),
    shareHealthInfo: true,
  });
  for (const w of ['patient', 'father'] as const) {
    if (w === 'patient' && opts.patientNationalId) continue;
    if (who.has(w)) sessions[w] = await exchange(NAMES[w]);
  }
  if (gpLogin) {
    sessions.gp = await api<SessionTokenResponse>(
      `/consultations/${consultation.id}/session`,
      gpLogin.accessToken,
      {},
    );
  }
  sessions.spec = await api<SessionTokenResponse>(
    `/consultations/${consultation.id}/session`,
    staffToken,
    {},
  );
  return { consultation, agenda, staffToken, sessions };
}

/**
 * One participant's browser context on the call page: their signature media, every
 * received track recorded for the probe, the session token where the pre-join page puts it.
 */
export async function openCallAs(
  browser: Browser,
  baseUrl: string,
  who: Who,
  session: SessionTokenResponse,
  viewport: { width: number; height: number },
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await participantContext(browser, { viewport });
  context.setDefaultTimeout(30_000);
  await useSignatureMedia(context, SIGNATURES[who]);
  await recordReceivedMedia(context);
  const id = session.participant.consultationId;
  await context.addInitScript(([key, value]) => sessionStorage.setItem(key, value), [
    `samkons.room.${id}`,
    JSON.stringify(session),
  ] as const);
  const page = await context.newPage();
  await page.goto(`${baseUrl}/room/${id}`);
  return { context, page };
}

export const sortedSet = (xs: string[]) => [...new Set(xs)].sort();

/** The patient is 14 (born 2 May, 14 years before this year). */
export const PATIENT_BIRTH_DATE = `${new Date().getUTCFullYear() - 14}-05-02`;

/**
 * A synthetic national identity number for a birth date (ddmmyy, an individual number of
 * the 2000s range, both modulus-11 control digits), as test data only.
 */
export function syntheticNationalId(birthDate: string): string {
  const [y, m, d] = birthDate.split('-');
  const date = `${d}${m}${y!.slice(2)}`;
  const control = (digits: number[], weights: number[]) => {
    const k = 11 - (weights.reduce((acc, w, i) => acc + w * digits[i]!, 0) % 11);
    return k === 11 ? 0 : k;
  };
  for (let individual = 500; individual < 750; individual++) {
    const nine = [...`${date}${individual}`].map(Number);
    const k1 = control(nine, [3, 7, 6, 1, 8, 9, 4, 5, 2]);
    if (k1 === 10) continue;
    const k2 = control([...nine, k1], [5, 4, 3, 2, 7, 6, 5, 4, 3, 2]);
    if (k2 === 10) continue;
    return `${date}${individual}${k1}${k2}`;
  }
  throw new Error(`no national identity number for ${birthDate}`);
}

/**
 * The demo GP (`fastlege`) on the patient's care team, linked to her account, so plan items
 * given to her show under "Mine konsultasjonar". Returns the member's label in the plan's
 * owner list.
 */
export async function addDemoGpToCareTeam(
  baseUrl: string,
  staffToken: string,
  consultationId: string,
): Promise<string> {
  const login = await apiCall<{ accessToken: string }>(baseUrl, '/auth/login', null, {
    username: 'fastlege',
    password: 'demo-fastlege',
  });
  const me = await apiCall<{ account: { id: string; name: string; organisation: string } }>(
    baseUrl,
    '/auth/me',
    login.accessToken,
  );
  await apiCall(baseUrl, `/consultations/${consultationId}/care-team/members`, staffToken, {
    role: 'gp',
    name: me.account.name,
    organisation: me.account.organisation,
    accountId: me.account.id,
    isCoordinator: true,
  });
  return `${me.account.name} · fastlege · ${me.account.organisation}`;
}
