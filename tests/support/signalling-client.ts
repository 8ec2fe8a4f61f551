import { io, type Socket } from 'socket.io-client';
import { expect } from 'vitest';
import type {
  Ack,
  ClientToServerEvents,
  JoinResponse,
  NotificationName,
  NotificationOf,
  RequestName,
  RequestOf,
  ResponseOf,
  ServerToClientEvents,
} from '@samkons/shared';

export type TestSocket = Socket<ServerToClientEvents, ClientToServerEvents>;
export type Welcome = NotificationOf<'welcome'>;

const welcomes = new WeakMap<TestSocket, Promise<Welcome>>();

/**
 * Connects a typed socket.io client and waits for the handshake to succeed. The server's
 * `welcome` (router capabilities, ICE servers) is kept: `welcomeOf(socket)`.
 */
export async function connectSocket(
  url: string,
  auth: Record<string, unknown>,
): Promise<TestSocket> {
  const socket: TestSocket = io(url, {
    path: '/socket.io',
    transports: ['websocket'],
    auth,
    reconnection: false,
    forceNew: true,
  });
  welcomes.set(socket, new Promise((resolve) => socket.once('welcome', resolve)));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', (err) => reject(err));
  });
  return socket;
}

/** The `welcome` this socket's connection started with. */
export function welcomeOf(socket: TestSocket): Promise<Welcome> {
  const w = welcomes.get(socket);
  if (!w) throw new Error('not a socket of connectSocket');
  return w;
}

/**
 * Capabilities a browser device loaded from `welcome` would send: the router's own (they
 * match every codec, so the server can consume everything for this test client).
 */
export async function deviceCapabilities(socket: TestSocket) {
  return (await welcomeOf(socket)).routerRtpCapabilities;
}

/** `join` as a browser sends it (the ack, failed or not). */
export async function joinRequest(socket: TestSocket): Promise<Ack<JoinResponse>> {
  return request(socket, 'join', { rtpCapabilities: await deviceCapabilities(socket) });
}

/** Sends a request and resolves with its ack (rejects only on a 5 s timeout). */
export function request<K extends RequestName>(
  socket: TestSocket,
  name: K,
  payload: RequestOf<K>,
): Promise<Ack<ResponseOf<K>>> {
  const timed = socket.timeout(5000);
  const emit = timed.emitWithAck.bind(timed) as (
    event: string,
    payload: unknown,
  ) => Promise<Ack<ResponseOf<K>>>;
  return emit(name, payload);
}

/** Sends anything at all, for malformed-input tests. */
export function rawRequest(socket: TestSocket, name: string, ...args: unknown[]): Promise<unknown> {
  const timed = socket.timeout(5000);
  const emit = timed.emitWithAck.bind(timed) as (
    event: string,
    ...a: unknown[]
  ) => Promise<unknown>;
  return emit(name, ...args);
}

/**
 * Resolves with the next `name` notification that satisfies `match` (rejects after
 * `timeoutMs`). Call it before the action that causes the notification.
 */
export function nextEvent<K extends NotificationName>(
  socket: TestSocket,
  name: K,
  match: (data: NotificationOf<K>) => boolean = () => true,
  timeoutMs = 5000,
): Promise<NotificationOf<K>> {
  return new Promise((resolve, reject) => {
    const on = socket.on.bind(socket) as (e: string, l: (d: NotificationOf<K>) => void) => void;
    const off = socket.off.bind(socket) as (e: string, l: (d: NotificationOf<K>) => void) => void;
    const listener = (data: NotificationOf<K>) => {
      if (!match(data)) return;
      clearTimeout(timer);
      off(name, listener);
      resolve(data);
    };
    const timer = setTimeout(() => {
      off(name, listener);
      reject(new Error(`no ${name} within ${timeoutMs} ms`));
    }, timeoutMs);
    on(name, listener);
  });
}

/** Resolves with the disconnect reason (e.g. `io server disconnect`). */
export function disconnected(socket: TestSocket, timeoutMs = 5000): Promise<string> {
  if (socket.disconnected) return Promise.resolve('already disconnected');
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('still connected')), timeoutMs);
    socket.once('disconnect', (reason) => {
      clearTimeout(timer);
      resolve(reason);
    });
  });
}

/** Collects every notification a socket receives, in order (for "did not receive" checks). */
export function recordEvents(socket: TestSocket): { name: string; data: unknown }[] {
  const seen: { name: string; data: unknown }[] = [];
  socket.onAny((name: string, data: unknown) => seen.push({ name, data }));
  return seen;
}

/** A handshake the server refuses: resolves with its message and code. */
export async function connectRefused(
  url: string,
  auth: Record<string, unknown>,
): Promise<{ message: string; code: string | undefined }> {
  try {
    const socket = await connectSocket(url, auth);
    socket.disconnect();
  } catch (err) {
    const e = err as Error & { data?: { code?: string } };
    return { message: e.message, code: e.data?.code };
  }
  throw new Error('the handshake was accepted');
}

/** The data of a successful ack; throws with the code and message of a failed one. */
export function ackData<T>(res: Ack<T>): T {
  if (!res.ok) throw new Error(`${res.error.code}: ${res.error.message}`);
  return res.data;
}

/** The error of a failed ack; throws when the request unexpectedly succeeded. */
export function ackError<T>(res: Ack<T>): { code: string; reason?: string } {
  if (res.ok) throw new Error('expected an error ack');
  return res.error;
}

/** Joins the consultation (the session, or its lobby); throws on a failed ack. */
export async function enter(socket: TestSocket): Promise<JoinResponse> {
  return ackData(await joinRequest(socket));
}

/**
 * The host is in; `guest` (connected, not yet entered) enters the lobby, the host sees
 * participant `pid` there and admits them, and the guest is told.
 */
export async function enterAndBeAdmitted(
  host: TestSocket,
  guest: TestSocket,
  pid: string,
): Promise<TestSocket> {
  const lobby = nextEvent(host, 'lobbyChanged', (e) =>
    e.lobby.some((x) => x.participantId === pid),
  );
  expect((await enter(guest)).status).toBe('waiting');
  await lobby;
  const admittedEvent = nextEvent(guest, 'admitted');
  ackData(await request(host, 'admit', { participantId: pid }));
  await admittedEvent;
  return guest;
}

/**
 * The sockets a test file opens, so `afterEach(pool.closeAll)` leaves no connection
 * behind to leak events into the next test.
 */
export function socketPool(serverUrl: () => string) {
  const open: TestSocket[] = [];
  return {
    async connect(auth: Record<string, unknown>): Promise<TestSocket> {
      const s = await connectSocket(serverUrl(), auth);
      open.push(s);
      return s;
    },
    closeAll(): void {
      for (const s of open.splice(0)) s.disconnect();
    },
  };
}
