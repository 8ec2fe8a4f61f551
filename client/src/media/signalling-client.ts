import { io, type Socket } from 'socket.io-client';
import type {
  Ack,
  ClientToServerEvents,
  RequestName,
  RequestOf,
  ResponseOf,
  ServerToClientEvents,
} from '@samkons/shared';

export type SignallingSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** A failed request: the server's error code, or `timeout` when no ack came. */
export class RequestError extends Error {
  constructor(
    readonly code: string,
    message: string,
    /** The server's finer reason for session requests (e.g. `consent_required`). */
    readonly reason?: string,
  ) {
    super(message);
    this.name = 'RequestError';
  }
}

const REQUEST_TIMEOUT_MS = 10_000;

/** The typed socket plus request/ack helpers; it counts acks for the round-trip figure. */
export class SignallingClient {
  readonly socket: SignallingSocket;
  #acks = 0;

  constructor(url: string, auth: Record<string, unknown>) {
    this.socket = io(url, {
      path: '/socket.io',
      transports: ['websocket'],
      auth,
      autoConnect: false,
      reconnectionDelay: 500,
      reconnectionDelayMax: 5000,
    });
  }

  /** Acks received so far on this client. */
  get acks(): number {
    return this.#acks;
  }

  async request<K extends RequestName>(name: K, payload: RequestOf<K>): Promise<ResponseOf<K>> {
    const timed = this.socket.timeout(REQUEST_TIMEOUT_MS);
    // socket.io's typings cannot resolve an emit over a generic event name.
    const emit = timed.emitWithAck.bind(timed) as (
      event: K,
      payload: RequestOf<K>,
    ) => Promise<Ack<ResponseOf<K>>>;
    let res: Ack<ResponseOf<K>>;
    try {
      res = await emit(name, payload);
    } catch {
      throw new RequestError('timeout', `${name}: no answer within ${REQUEST_TIMEOUT_MS} ms`);
    }
    this.#acks++;
    if (!res.ok) {
      throw new RequestError(res.error.code, `${name}: ${res.error.message}`, res.error.reason);
    }
    return res.data;
  }
}
