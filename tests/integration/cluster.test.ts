/**
 * Several nodes through Redis: the domain-event relay's encoding (always), the relay and the
 * session directory on a real Redis (SAMKONS_TEST_REDIS_URL), and two real nodes sharing one
 * PostgreSQL schema (plus SAMKONS_TEST_PG_URL). Which ran is decided at load time and logged.
 */
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { FastifyBaseLogger } from 'fastify';
import { ackSchema, requests, type Consultation } from '@samkons/shared';
import { loadConfig } from '../../server/src/config.js';
import { EventBus, type DomainEvents } from '../../server/src/consent/events.js';
import { decodeEvent, encodeEvent } from '../../server/src/cluster/event-codec.js';
import { EventRelay } from '../../server/src/cluster/event-relay.js';
import { closeRedis, connectRedis } from '../../server/src/cluster/redis-connection.js';
import { RedisSessionDirectory } from '../../server/src/cluster/session-directory.js';
import { createScratchSchema, type ScratchSchema } from '../support/pg-schema.js';
import { startTestServer, type TestServer } from '../support/server.js';
import {
  ackData,
  connectSocket,
  disconnected,
  enterAndBeAdmitted,
  nextEvent,
  type TestSocket,
  joinRequest,
} from '../support/signalling-client.js';
import { attendees, book, createStaff, giveConsent } from '../support/consultation.js';

const redisUrl = process.env.SAMKONS_TEST_REDIS_URL;
const pgUrl = process.env.SAMKONS_TEST_PG_URL;
/** Every key and channel of this run lives under its own prefix. */
const prefix = `samkons-test-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}:`;
console.log(
  `[cluster] relay encoding: run; Redis relay and directory: ${
    redisUrl ? 'run' : 'not run (SAMKONS_TEST_REDIS_URL unset)'
  }; two nodes on one PostgreSQL: ${
    redisUrl && pgUrl ? 'run' : 'not run (needs SAMKONS_TEST_REDIS_URL and SAMKONS_TEST_PG_URL)'
  }`,
);

/** A logger that records warnings (malformed input must be logged, not thrown). */
function recordingLog() {
  const warnings: unknown[] = [];
  const log = {
    child: () => log,
    warn: (obj: unknown) => warnings.push(obj),
    error: (obj: unknown) => warnings.push(obj),
    info: () => undefined,
    debug: () => undefined,
  };
  return { log: log as unknown as FastifyBaseLogger, warnings };
}

const withdrawn: DomainEvents['consent.withdrawn'] = {
  consultationId: 'c-1',
  consentId: 'k-1',
  reason: 'narrowed',
  withdrawnAt: '2025-03-01T10:15:30.123Z',
  withdrawnByParticipantId: 'p-1',
  affectedParticipantIds: ['p-2', 'p-3'],
  shareHealthInfoWithdrawn: false,
};

describe('relay encoding', () => {
  it('round-trips every domain event unchanged, with the emitting node', () => {
    const samples: { [K in keyof DomainEvents]: DomainEvents[K] } = {
      'consent.withdrawn': withdrawn,
      'consent.given': {
        consultationId: 'c-1',
        consentId: 'k-2',
        givenByParticipantId: 'p-1',
        coveredParticipantIds: ['p-1'],
        shareHealthInfo: true,
        givenAt: '2025-03-01T10:15:30+01:00',
      },
      'consent.refused': {
        consultationId: 'c-1',
        refusedByParticipantId: 'p-1',
        method: 'verbal',
        refusedAt: withdrawn.withdrawnAt,
      },
      'participant.removed': {
        consultationId: 'c-1',
        participantId: 'p-2',
        at: withdrawn.withdrawnAt,
      },
      'consultation.changed': {
        consultationId: 'c-1',
        change: 'cancelled',
        at: withdrawn.withdrawnAt,
      },
      'agenda.changed': { consultationId: 'c-1', version: 3, at: withdrawn.withdrawnAt },
      'plan.changed': {
        consultationId: 'c-1',
        itemId: 'i-1',
        change: 'progress',
        at: withdrawn.withdrawnAt,
      },
    };
    for (const [name, event] of Object.entries(samples)) {
      const decoded = decodeEvent(encodeEvent('node-a', name as 'consent.given', event as never));
      expect(decoded).toEqual({ ok: true, message: { node: 'node-a', name, event } });
    }
  });

  it('keeps instants as ISO strings: a Date that slips in arrives as the same instant', () => {
    const at = new Date('2025-03-01T10:15:30.123Z');
    const raw = encodeEvent('n', 'participant.removed', {
      consultationId: 'c',
      participantId: 'p',
      at: at as unknown as string,
    });
    const decoded = decodeEvent(raw);
    if (!decoded.ok) throw new Error(decoded.error);
    expect(decoded.message.event).toMatchObject({ at: at.toISOString() });
    expect(new Date((decoded.message.event as { at: string }).at).getTime()).toBe(at.getTime());
  });

  it('rejects malformed messages without throwing', () => {
    const good = JSON.parse(encodeEvent('n', 'consent.withdrawn', withdrawn)) as Record<
      string,
      unknown
    >;
    const bad = [
      'not json',
      'null',
      JSON.stringify({ ...good, v: 2 }),
      JSON.stringify({ ...good, node: '' }),
      JSON.stringify({ ...good, name: 'consent.stolen' }),
      JSON.stringify({ ...good, event: { ...withdrawn, withdrawnAt: 'yesterday' } }),
      JSON.stringify({ ...good, event: { ...withdrawn, reason: 'bored' } }),
      JSON.stringify({ ...good, event: { ...withdrawn, affectedParticipantIds: 'p-2' } }),
    ];
    for (const raw of bad) expect(decodeEvent(raw), raw).toMatchObject({ ok: false });
  });
});

describe('origins allowed to open socket.io (CLUSTER_ALLOWED_ORIGINS)', () => {
  it("defaults to PUBLIC_URL's origin, takes a list, and refuses what is not http(s)", () => {
    const origins = (env: Record<string, string>) => loadConfig(env).signalling.allowedOrigins;
    expect(origins({})).toEqual([]);
    expect(origins({ PUBLIC_URL: 'https://node-1.samkons.example/app/' })).toEqual([
      'https://node-1.samkons.example',
    ]);
    expect(
      origins({
        PUBLIC_URL: 'https://node-1.samkons.example',
        CLUSTER_ALLOWED_ORIGINS: 'https://app.example, http://127.0.0.1:3001/,https://app.example',
      }),
    ).toEqual(['https://app.example', 'http://127.0.0.1:3001']);
    expect(() => origins({ CLUSTER_ALLOWED_ORIGINS: '*' })).toThrow(/CLUSTER_ALLOWED_ORIGINS/);
    expect(() => origins({ CLUSTER_ALLOWED_ORIGINS: 'ftp://app.example' })).toThrow(
      /not an http\(s\) URL/,
    );
  });
});

if (redisUrl) {
  describe('relay and directory on Redis', () => {
    it('relays events to other nodes once, never back, and drops malformed messages', async () => {
      const channel = `${prefix}relay-unit`;
      const conns = await Promise.all(
        [1, 2, 3, 4, 5].map((i) => connectRedis(redisUrl, `test-${i}`, recordingLog().log)),
      );
      const [pubA, subA, pubB, subB, observer] = conns as [
        (typeof conns)[0],
        (typeof conns)[0],
        (typeof conns)[0],
        (typeof conns)[0],
        (typeof conns)[0],
      ];
      try {
        const busA = new EventBus<DomainEvents>();
        const busB = new EventBus<DomainEvents>();
        const logB = recordingLog();
        const relayA = new EventRelay({
          bus: busA,
          publisher: pubA,
          subscriber: subA,
          channel,
          nodeId: 'node-a',
          log: recordingLog().log,
        });
        const relayB = new EventRelay({
          bus: busB,
          publisher: pubB,
          subscriber: subB,
          channel,
          nodeId: 'node-b',
          log: logB.log,
        });
        await relayA.start();
        await relayB.start();
        const seenOnChannel: string[] = [];
        // The observer is its own connection: it may hear a message after node B does.
        const observed = (name: string) =>
          new Promise<void>((resolve) => {
            observer.on('message', (_c: string, m: string) => {
              const d = decodeEvent(m);
              if (d.ok && d.message.name === name) resolve();
            });
          });
        observer.on('message', (_c: string, m: string) => seenOnChannel.push(m));
        await observer.subscribe(channel);
        const onA = vi.fn();
        busA.on('consent.withdrawn', onA);
        const onB = vi.fn();
        busB.on('consent.withdrawn', onB);
        const arrivedOnB = new Promise<DomainEvents['consent.withdrawn']>((resolve) => {
          busB.on('consent.withdrawn', resolve);
        });

        // Garbage first: logged and dropped; the valid event after it still arrives.
        await pubA.publish(channel, 'garbage');
        await pubA.publish(channel, JSON.stringify({ v: 1, node: 'x', name: 'consent.given' }));
        busA.emit('consent.withdrawn', withdrawn);
        expect(await arrivedOnB).toEqual(withdrawn);
        expect(onA).toHaveBeenCalledTimes(1); // the local emit only: nothing came back
        expect(logB.warnings).toHaveLength(2);

        // A sentinel after B's re-emit: the channel saw the event once (B did not republish).
        const sentinel = { consultationId: 'c-2', participantId: 'p', at: withdrawn.withdrawnAt };
        const sentinelOnB = new Promise((resolve) => busB.on('participant.removed', resolve));
        const sentinelObserved = observed('participant.removed');
        busA.emit('participant.removed', sentinel);
        await Promise.all([sentinelOnB, sentinelObserved]);
        const relayed = seenOnChannel
          .map((m) => decodeEvent(m))
          .filter((d) => d.ok)
          .map((d) => (d.ok ? `${d.message.node}:${d.message.name}` : ''));
        expect(relayed).toEqual(['node-a:consent.withdrawn', 'node-a:participant.removed']);
        expect(onB).toHaveBeenCalledTimes(1);
        await relayA.close();
        await relayB.close();
      } finally {
        await Promise.all(conns.map(closeRedis));
      }
    });

    it('gives a consultation to one node at a time, with a TTL, until released', async () => {
      const redis = await connectRedis(redisUrl, 'test-directory', recordingLog().log);
      const mk = (node: string) =>
        new RedisSessionDirectory({
          redis,
          keyPrefix: prefix,
          nodeId: node,
          url: () => `http://${node}.example:3000`,
          log: recordingLog().log,
        });
      const a = mk('a');
      const b = mk('b');
      try {
        expect(await a.claim('c-dir')).toEqual({ owner: 'self' });
        expect(await a.claim('c-dir')).toEqual({ owner: 'self' });
        expect(await b.claim('c-dir')).toEqual({ owner: 'other', url: 'http://a.example:3000' });
        expect(a.key('c-dir')).toBe(`${prefix}session:c-dir`);
        const ttl = await redis.pttl(a.key('c-dir'));
        expect(ttl).toBeGreaterThan(0);
        expect(ttl).toBeLessThanOrEqual(30_000);
        // B cannot release A's claim.
        b.release('c-dir');
        await b.settled();
        expect(await b.claim('c-dir')).toMatchObject({ owner: 'other' });
        a.release('c-dir');
        await a.settled();
        expect(await b.claim('c-dir')).toEqual({ owner: 'self' });
        // A malformed claim value is another owner, with no URL to offer.
        await redis.set(a.key('c-bad'), 'garbage', 'PX', 5000);
        expect(await a.claim('c-bad')).toEqual({ owner: 'other', url: '' });
      } finally {
        await a.close();
        await b.close();
        await redis.del(a.key('c-bad'));
        await closeRedis(redis);
      }
    });
  });
}

if (redisUrl && pgUrl) {
  describe('two nodes sharing one PostgreSQL', () => {
    /** The app's origin, allowed to open socket.io on both nodes. */
    const APP_ORIGIN = 'https://app.samkons.example';
    let nodeA: TestServer;
    let nodeB: TestServer;
    let schema: ScratchSchema | undefined;
    const sockets: TestSocket[] = [];

    beforeAll(async () => {
      schema = await createScratchSchema(pgUrl, 't_cluster');
      const env = {
        DATABASE_URL: schema.databaseUrl,
        REDIS_URL: redisUrl,
        REDIS_KEY_PREFIX: prefix,
        CLUSTER_ALLOWED_ORIGINS: `${APP_ORIGIN}/, ${APP_ORIGIN}`,
      };
      // One after the other: the first migrates the shared schema.
      nodeA = await startTestServer({ domain: true, env });
      nodeB = await startTestServer({ domain: true, env });
    });
    afterAll(async () => {
      for (const s of sockets.splice(0)) s.disconnect();
      await nodeA?.close();
      await nodeB?.close();
      await schema?.drop();
    });

    const ok = ackData;
    async function connect(node: TestServer, token: string): Promise<TestSocket> {
      const s = await connectSocket(node.url, { token });
      sockets.push(s);
      return s;
    }
    const services = () => {
      if (!nodeA.domain) throw new Error('domain not started');
      return nodeA.domain.services;
    };

    /** Booked and consented to through node A's API. */
    async function world() {
      const app = nodeA.app;
      const spec = await createStaff(app, services(), 'specialist', { name: 'Dr. Lege' });
      const gp = await createStaff(app, services(), 'gp', { name: 'Fastlege Berg' });
      const c: Consultation = await book(app, spec, [
        {
          role: 'gp',
          name: gp.name,
          organisation: 'Legekontoret',
          joinsFrom: 'gp_office',
          travelDistanceKm: 0,
          accountId: gp.accountId,
        },
        {
          role: 'patient',
          name: 'Pasient Per',
          joinsFrom: 'home',
          travelDistanceKm: 90,
          birthDate: '1948-03-01',
        },
        { role: 'next_of_kin', name: 'Dotter Kari', joinsFrom: 'home', travelDistanceKm: 40 },
      ]);
      const { ids, tokens } = await attendees(app, spec, c, {
        spec: { staff: spec },
        gp: { staff: gp },
        patient: { role: 'patient' },
        daughter: { role: 'next_of_kin' },
      });
      const consent = (except: string[] = []) =>
        giveConsent(app, tokens.patient, c.id, {
          method: 'in_app',
          coveredParticipantIds: Object.values(ids).filter((id) => !except.includes(id)),
          shareHealthInfo: true,
        });
      await consent();
      return { c, ids, tokens, consent };
    }

    /** The host is in on `node`; `token` enters its lobby there and is admitted. */
    const admitted = async (node: TestServer, host: TestSocket, token: string, pid: string) =>
      enterAndBeAdmitted(host, await connect(node, token), pid);

    it('a consent narrowed through node A removes the participant on node B within 2 s', async () => {
      const w = await world();
      const host = await connect(nodeB, w.tokens.spec);
      ok(await joinRequest(host));
      await admitted(nodeB, host, w.tokens.patient, w.ids.patient);
      const daughter = await admitted(nodeB, host, w.tokens.daughter, w.ids.daughter);
      expect(nodeB.rooms.get(w.c.id)?.peer(w.ids.daughter)).toBeDefined();
      expect(nodeA.sessions.get(w.c.id)).toBeUndefined();

      const removed = nextEvent(daughter, 'removed', () => true, 2000);
      const gone = disconnected(daughter, 2000);
      const hostSees = nextEvent(
        host,
        'participantLeft',
        (e) => e.participantId === w.ids.daughter,
      );
      const started = Date.now();
      await w.consent([w.ids.daughter]); // through node A's REST API
      expect(await removed).toEqual({ reason: 'consent_withdrawn' });
      await gone;
      expect(await hostSees).toEqual({
        participantId: w.ids.daughter,
        reason: 'consent_withdrawn',
      });
      expect(Date.now() - started).toBeLessThan(2000);
      expect(nodeB.rooms.get(w.c.id)?.peer(w.ids.daughter)).toBeUndefined();
      expect(nodeB.sessions.get(w.c.id)?.closed).toBe(false);
    });

    it('one node hosts a consultation: the other answers wrong_node with its URL until it ends', async () => {
      const w = await world();
      const host = await connect(nodeB, w.tokens.spec);
      ok(await joinRequest(host));

      const gpOnA = await connect(nodeA, w.tokens.gp);
      const refused = await joinRequest(gpOnA);
      expect(refused).toMatchObject({
        ok: false,
        error: { code: 'invalid_state', reason: 'wrong_node' },
      });
      expect(refused.ok ? '' : refused.error.message).toContain(nodeB.url);
      // The owner's URL as a field, for the client to follow (and valid by the shared schema).
      expect(refused.ok ? undefined : refused.error.redirectUrl).toBe(nodeB.url);
      expect(ackSchema(requests.join.res).safeParse(refused).success).toBe(true);
      // No media room opens on A.
      expect(nodeA.sessions.get(w.c.id)).toBeUndefined();
      expect(nodeA.rooms.get(w.c.id)).toBeUndefined();

      // The last one leaves node B: its session closes and releases the claim.
      const session = nodeB.sessions.get(w.c.id);
      if (!session) throw new Error('no session on node B');
      const closed = once(session, 'closed');
      host.disconnect();
      await closed;
      await nodeB.cluster?.directory.settled();

      expect(ok(await joinRequest(gpOnA)).status).toBe('admitted');
      expect(nodeA.sessions.get(w.c.id)).toBeDefined();
      const hostOnB = await connect(nodeB, w.tokens.spec);
      const nowRefused = await joinRequest(hostOnB);
      expect(nowRefused).toMatchObject({ ok: false, error: { reason: 'wrong_node' } });
      expect(nowRefused.ok ? '' : nowRefused.error.message).toContain(nodeA.url);
      expect(nowRefused.ok ? undefined : nowRefused.error.redirectUrl).toBe(nodeA.url);
    });

    it('socket.io answers CORS for the allowed app origin only', async () => {
      const handshake = (node: TestServer, origin: string) =>
        fetch(`${node.url}/socket.io/?EIO=4&transport=polling`, { headers: { origin } });
      for (const node of [nodeA, nodeB]) {
        const allowed = await handshake(node, APP_ORIGIN);
        expect(allowed.status).toBe(200);
        expect(allowed.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN);
        const other = await handshake(node, 'http://elsewhere.example');
        expect(other.headers.get('access-control-allow-origin')).toBeNull();
      }
    });
  });
}
