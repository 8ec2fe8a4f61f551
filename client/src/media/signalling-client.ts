import { io, type Socket } from 'socket.io-client';
import {
  AckErrorSchema,
  type Ack,
  type ClientToServerEvents,
  type RequestName,
  type RequestOf,
  type ResponseOf,
  type ServerToClientEvents,
} from '@samkons/shared';

export type SignallingSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** A failed request: the server's error code, or `timeout` when no ack came. */
export class RequestError extends Error {
  constructor(
    readonly code: string,
    message: string,
    /** The server's finer reason for session requests (e.g. `consent_required`). */
    readonly reason?: string,
    /** With `wrong_node`: the node hosting the session (an http(s) URL, schema-checked). */
    readonly redirectUrl?: string,
  ) {
    super(message);
    this.name = 'RequestError';
  }
}

const REQUEST_TIMEOUT_MS = 10_000;

/**
 * The typed socket plus request/ack helpers; it counts acks for the round-trip figure.
 * The socket can move to another node (`moveTo`, for `wrong_node`): listeners registered
 * with `onSocket` follow it.
 */
export class SignallingClient {
  #socket: SignallingSocket;
  #url: string;
  readonly #auth: Record<string, unknown>;
  readonly #setups: ((socket: SignallingSocket) => void)[] = [];
  #acks = 0;

  constructor(url: string, auth: Record<string, unknown>) {
    this.#auth = auth;
    this.#url = url;
    this.#socket = this.#open(url);
  }

  /** The current socket (a new one after `moveTo`). */
  get socket(): SignallingSocket {
    return this.#socket;
  }

  /** The origin the socket connects to. */
  get url(): string {
    return this.#url;
  }

  /** Runs `setup` (adding listeners) on the socket now and on every socket that replaces it. */
  onSocket(setup: (socket: SignallingSocket) => void): void {
    this.#setups.push(setup);
    setup(this.#socket);
  }

  /**
   * Closes the socket and connects a new one, with the same handshake and listeners, to
   * `url` (another node's origin). For before the media join: the old socket's listeners
   * are removed first, so its disconnect tears nothing down.
   */
  moveTo(url: string): void {
    const old = this.#socket;
    old.removeAllListeners();
    old.disconnect();
    this.#url = url;
    this.#socket = this.#open(url);
    for (const setup of this.#setups) setup(this.#socket);
    this.#socket.connect();
  }

  #open(url: string): SignallingSocket {
    return io(url, {
      path: '/socket.io',
      transports: ['websocket'],
      auth: this.#auth,
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
    const timed = this.#socket.timeout(REQUEST_TIMEOUT_MS);
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
      // Only a well-formed error (an http(s) redirect URL among it) may steer the client.
      const checked = AckErrorSchema.safeParse(res.error);
      throw new RequestError(
        res.error.code,
        `${name}: ${res.error.message}`,
        res.error.reason,
        checked.success ? checked.data.redirectUrl : undefined,
      );
    }
    return res.data;
  }
}
