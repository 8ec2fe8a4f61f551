import { io, type Socket } from 'socket.io-client';
import type {
  Ack,
  ClientToServerEvents,
  RequestName,
  RequestOf,
  ResponseOf,
  ServerToClientEvents,
} from '@samkons/shared';

export type TestSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** Connects a typed socket.io client and waits for the handshake to succeed. */
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
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', (err) => reject(err));
  });
  return socket;
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
