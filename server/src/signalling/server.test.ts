import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { pino } from 'pino';
import { io as connect } from 'socket.io-client';
import type { FastifyBaseLogger } from 'fastify';
import type { SessionGrants } from '@samkons/shared';
import type { RoomRegistry } from '../sfu/room-registry.js';
import type { GateResult } from '../session/consent-gate.js';
import { LiveSessions } from '../session/live-sessions.js';
import { nullJournal } from '../session/session-journal.js';
import type { SocketAuthenticator } from './authenticator.js';
import { attachSignalling, type Signalling } from './server.js';

const grants: SessionGrants = {
  consultationId: 'c1',
  participantId: 'guest',
  roomJoin: false,
  canPublish: true,
  canSubscribe: true,
  canPublishSources: ['camera', 'microphone'],
  canAdmit: false,
  canModerate: false,
  canEnd: false,
  canConsent: false,
  canRecordVerbalConsent: false,
};
const authenticator: SocketAuthenticator = {
  authenticate: () => Promise.resolve({ ok: true, principal: { displayName: 'Guest', grants } }),
};

let http: HttpServer | undefined;
let signalling: Signalling | undefined;
afterEach(async () => {
  signalling?.close();
  await new Promise((resolve) => http?.close(resolve));
});

describe('signalling join', () => {
  it('a connection that drops while its consent is checked leaves no one in the lobby', async () => {
    let release!: (r: GateResult) => void;
    const checking = vi.fn(() => new Promise<GateResult>((resolve) => (release = resolve)));
    const log = pino({ level: 'silent' }) as FastifyBaseLogger;
    const sessions = new LiveSessions({
      rooms: { get: () => undefined } as unknown as RoomRegistry,
      gate: { check: checking },
      journal: nullJournal,
      log,
    });
    http = createServer();
    signalling = attachSignalling({
      httpServer: http,
      registry: { routerRtpCapabilities: { codecs: [] } } as unknown as RoomRegistry,
      sessions,
      authenticator,
      log,
    });
    await new Promise<void>((resolve) => http?.listen(0, '127.0.0.1', resolve));
    const { port } = http.address() as AddressInfo;
    const socket = connect(`http://127.0.0.1:${port}`, {
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
    });
    await new Promise((resolve) => socket.once('connect', () => resolve(null)));

    socket.emit('join', { rtpCapabilities: { codecs: [] } }, () => undefined);
    await vi.waitFor(() => expect(checking).toHaveBeenCalled());
    socket.disconnect();
    await vi.waitFor(() => expect(signalling?.io.of('/').sockets.size).toBe(0));
    release({ admissible: true, grants });

    await vi.waitFor(() => expect(sessions.get('c1')).toBeUndefined());
  });
});
