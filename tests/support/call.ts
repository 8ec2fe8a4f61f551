import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { IceRoute } from '../../client/src/media/session.js';
import type {
  Consultation,
  InviteLink,
  NewParticipant,
  SessionTokenResponse,
} from '@samkons/shared';
import {
  apiCall,
  demoSpecialistToken,
  demoStaffLogin,
  mediaStats,
  participantContext,
  type MediaStat,
} from './journey.js';

/**
 * Calls set up over the REST API, opened straight on the call page: for tests of the call
 * itself (media, controls), not of booking or the pre-join page (journey.test.ts has those).
 */

/** A booked consultation and every participant's session token, by name. */
export interface BookedCall {
  consultation: Consultation;
  /** The demo specialist who booked it (organiser, host). */
  host: SessionTokenResponse;
  invitees: Record<string, SessionTokenResponse>;
  /** Each invitee's invite token: the pre-join page is `/join/<token>`. */
  inviteTokens: Record<string, string>;
}

/**
 * The running call that join measurements step into (tests/e2e/join-path.test.ts,
 * bench/join-latency.ts): a GP, a home nurse and a patient at home, beside the host.
 */
export const RUNNING_CALL = {
  patient: 'Pål Pasient',
  gp: 'Gro Fastlege',
  nurse: 'Nils Sjukepleiar',
} as const;

export const runningCallInvitees = (): NewParticipant[] => [
  {
    role: 'gp',
    name: RUNNING_CALL.gp,
    organisation: 'Knarvik legesenter',
    joinsFrom: 'gp_office',
    travelDistanceKm: 0,
  },
  {
    role: 'municipal',
    name: RUNNING_CALL.nurse,
    organisation: 'Alver kommune',
    joinsFrom: 'home',
    travelDistanceKm: 0,
  },
  {
    role: 'patient',
    name: RUNNING_CALL.patient,
    birthDate: '1944-02-02',
    joinsFrom: 'home',
    travelDistanceKm: 80,
  },
];

/**
 * The demo specialist logs in and books a consultation `hoursAhead` from now (the server
 * must open invites that early: INVITE_OPENS_MINUTES_BEFORE). The first GP and the first
 * municipal nurse among the invitees are booked with the demo accounts (`fastlege`,
 * `sjukepleiar`) and join by their own login, straight in as staff do; every other
 * invitee's link is exchanged the way the pre-join page does (a staff link waits in the
 * lobby). A patient among them consents in the app to everyone else taking part, before
 * the others' tokens are issued (grants depend on it).
 */
export async function bookCall(
  baseUrl: string,
  opts: { title: string; hoursAhead: number; invitees: NewParticipant[] },
): Promise<BookedCall> {
  const accessToken = await demoSpecialistToken(baseUrl);
  const api = <T>(path: string, token: string, body?: unknown) =>
    apiCall<T>(baseUrl, path, token, body);

  const start = new Date(Math.ceil((Date.now() + opts.hoursAhead * 3600_000) / 900_000) * 900_000);
  const logins = new Map<string, string>();
  const participants: NewParticipant[] = [];
  for (const p of opts.invitees) {
    const role = p.role === 'gp' || p.role === 'municipal' ? p.role : null;
    if (role && !p.accountId && ![...logins.keys()].some((n) => n.startsWith(`${role}:`))) {
      const staff = await demoStaffLogin(baseUrl, role);
      logins.set(`${role}:${p.name}`, staff.accessToken);
      participants.push({ ...p, accountId: staff.accountId });
    } else participants.push(p);
  }
  const loginOf = (name: string) =>
    [...logins.entries()].find(([k]) => k.endsWith(`:${name}`))?.[1];
  const consultation = await api<Consultation>('/consultations', accessToken, {
    kind: 'co_consultation',
    title: opts.title,
    startsAt: start.toISOString(),
    endsAt: new Date(start.getTime() + 45 * 60_000).toISOString(),
    documentingOrganisation: 'Helse Bergen',
    participants,
  });
  const inviteTokens: Record<string, string> = {};
  const exchange = async (name: string) => {
    const p = consultation.participants.find((x) => x.name === name);
    if (!p) throw new Error(`no participant ${name}`);
    const link = await api<InviteLink>(
      `/consultations/${consultation.id}/participants/${p.id}/invite`,
      accessToken,
      {},
    );
    inviteTokens[name] = link.token;
    const res = await fetch(`${baseUrl}/api/invites/exchange`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: link.token }),
    });
    if (!res.ok) throw new Error(`exchange ${name}: ${res.status} ${await res.text()}`);
    return (await res.json()) as SessionTokenResponse;
  };

  const invitees: Record<string, SessionTokenResponse> = {};
  const patient = opts.invitees.find((p) => p.role === 'patient');
  if (patient) {
    const session = await exchange(patient.name);
    await api(`/consultations/${consultation.id}/consents`, session.sessionToken, {
      method: 'in_app',
      coveredParticipantIds: consultation.participants
        .filter((p) => p.role !== 'patient')
        .map((p) => p.id),
      shareHealthInfo: true,
    });
    invitees[patient.name] = session;
  }
  for (const p of opts.invitees) {
    if (p === patient) continue;
    const login = loginOf(p.name);
    invitees[p.name] = login
      ? await api<SessionTokenResponse>(`/consultations/${consultation.id}/session`, login, {})
      : await exchange(p.name);
  }
  const host = await api<SessionTokenResponse>(
    `/consultations/${consultation.id}/session`,
    accessToken,
    {},
  );
  return { consultation, host, invitees, inviteTokens };
}

/**
 * Opens the call page for one participant in their own browser context (small camera, as
 * journey tests use), with their session token where the pre-join page would have put it.
 * `query` is appended to the room URL (e.g. `relay=1`).
 */
export async function openCall(
  browser: Browser,
  baseUrl: string,
  session: SessionTokenResponse,
  opts: {
    query?: string;
    viewport?: { width: number; height: number };
    /** Camera constraints instead of the small CALL_VIDEO_CONSTRAINTS. */
    video?: MediaTrackConstraints;
    /**
     * Transport recovery timings over the client's defaults (client/src/media/test-hooks.ts,
     * `window.__samkonsRecovery`): a backoff's steps seen in seconds, not minutes.
     */
    recovery?: Record<string, number>;
  } = {},
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await participantContext(browser, {
    viewport: opts.viewport ?? { width: 1100, height: 800 },
    // No join button on the call page: the timing then runs from admission (lobby).
    joinLabel: 'Gå inn i møtet',
  });
  if (opts.video) {
    // Init scripts run in order: this one replaces the small default.
    await context.addInitScript((video) => {
      (window as unknown as { __samkonsVideoConstraints: unknown }).__samkonsVideoConstraints =
        video;
    }, opts.video);
  }
  if (opts.recovery) {
    await context.addInitScript((recovery) => {
      (window as unknown as { __samkonsRecovery: unknown }).__samkonsRecovery = recovery;
    }, opts.recovery);
  }
  const id = session.participant.consultationId;
  await context.addInitScript(([key, value]) => sessionStorage.setItem(key, value), [
    `samkons.room.${id}`,
    JSON.stringify(session),
  ] as const);
  await context.addInitScript(recordCaptures);
  const page = await context.newPage();
  await page.goto(`${baseUrl}/room/${id}${opts.query ? `?${opts.query}` : ''}`);
  return { context, page };
}

/**
 * Init script: keeps every camera and microphone track the page captures, so a test can
 * check they were released (a stopped track is 'ended').
 */
function recordCaptures(): void {
  const w = window as unknown as { __samkonsCaptures?: MediaStreamTrack[] };
  const devices = navigator.mediaDevices;
  if (!devices) return;
  const captures: MediaStreamTrack[] = (w.__samkonsCaptures = []);
  const getUserMedia = devices.getUserMedia.bind(devices);
  devices.getUserMedia = async (constraints) => {
    const stream = await getUserMedia(constraints);
    captures.push(...stream.getTracks());
    return stream;
  };
}

/** Kinds of the captured camera and microphone tracks still live on the page. */
export const liveCaptures = (page: Page): Promise<string[]> =>
  page.evaluate(() =>
    ((window as unknown as { __samkonsCaptures?: MediaStreamTrack[] }).__samkonsCaptures ?? [])
      .filter((t) => t.readyState === 'live')
      .map((t) => t.kind),
  );

/** Resolves once the call page shows the call in progress (state `in-call`). */
export async function callJoined(page: Page, timeout = 30_000): Promise<void> {
  await page.waitForFunction(
    () =>
      document.querySelector('[data-testid="room-page"]')?.getAttribute('data-state') === 'in-call',
    null,
    { timeout },
  );
}

/**
 * Into the call: straight in, or admitted by the host through the waiting prompt (shown
 * while the People panel is closed).
 */
export async function enterCall(
  host: Page,
  page: Page,
  name: string,
  timeout = 45_000,
): Promise<void> {
  await page.waitForFunction(
    () =>
      document.querySelector('[data-testid="waiting-screen"]') !== null ||
      document.querySelector('[data-testid="room-page"]')?.getAttribute('data-state') === 'in-call',
    null,
    { timeout },
  );
  if ((await page.getByTestId('waiting-screen').count()) > 0) {
    await host
      .getByTestId('waiting-prompt')
      .getByRole('button', { name: `Slepp inn ${name}`, exact: true })
      .click();
  }
  await callJoined(page, timeout);
}

/**
 * The host admits `name` from the waiting room through the People panel, then closes it.
 */
export async function admitFromLobby(host: Page, name: string): Promise<void> {
  await host.getByRole('button', { name: 'Deltakarar' }).click();
  const admit = host.getByTestId('lobby-list').getByRole('button', { name: `Slepp inn ${name}` });
  await admit.click();
  await admit.waitFor({ state: 'detached' });
  await host.getByRole('button', { name: 'Lukk', exact: true }).click();
}

/**
 * Waits until `check` holds between two consecutive samples of the page's media counters
 * (polled): e.g. frames rising for one peer while audio rises for all.
 */
export async function expectMediaChange(
  page: Page,
  check: (before: MediaStat[], now: MediaStat[]) => boolean,
  opts: { timeout?: number; interval?: number } = {},
): Promise<void> {
  // Loaded here, not at the top: benchmarks use this module outside vitest.
  const { expect } = await import('vitest');
  let before = await mediaStats(page);
  await expect
    .poll(
      async () => {
        const now = await mediaStats(page);
        const ok = check(before, now);
        before = now;
        return ok;
      },
      { timeout: opts.timeout ?? 10_000, interval: opts.interval ?? 600 },
    )
    .toBe(true);
}

/** The selected ICE route of each transport (`MediaSession.iceRoutes`, test builds). */
export type { IceRoute };

export const iceRoutes = (page: Page): Promise<{ send?: IceRoute; recv?: IceRoute }> =>
  page.evaluate(() => {
    const hook = (
      window as unknown as {
        __samkonsMedia?: { iceRoutes(): Promise<{ send?: IceRoute; recv?: IceRoute }> };
      }
    ).__samkonsMedia;
    if (!hook) throw new Error('test hook missing: build with VITE_SAMKONS_TEST_HOOKS=true');
    return hook.iceRoutes();
  });
