import { io, type Socket } from 'socket.io-client';
import {
  AckErrorSchema,
  type Ack,
  type ClientToServerEvents,
  type NotificationOf,
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

  /**
   * Another try of the same request may succeed: the server was busy, restarting or slow,
   * or another request got in first. The other codes answer every try the same way.
   */
  get transient(): boolean {
    return TRANSIENT_CODES.has(this.code);
  }
}

const TRANSIENT_CODES = new Set(['timeout', 'internal', 'unavailable', 'conflict', 'rate_limited']);

const REQUEST_TIMEOUT_MS = 10_000;

export type Welcome = NotificationOf<'welcome'>;

/**
 * Sequential round trips, counted causally: a request sent while an answer is being handled
 * (in the code right after `await request(...)`) is one deeper than that answer; one sent
 * from a notification or a user action starts at 1. Work the browser does later on behalf
 * of an answer (a transport's DTLS `connect`) passes that answer's depth as `after`: the
 * media session captures `context` when it sets the transports up. The join path's figure
 * is the depth of the requests the first remote media needed.
 */
export class RoundTrips {
  #context: number | undefined;
  #issued = 0;
  #last = 0;
  /** The requests since `mark` with their depth (the first few), for diagnostics. */
  readonly sentSinceMark: { name: string; depth: number }[] = [];
  /** Starts counting anew (a click on join, an admission). */
  mark(): void {
    this.#context = undefined;
    this.#issued = 0;
    this.sentSinceMark.length = 0;
  }
  /** Depth of the deepest request sent since `mark`. */
  get sequential(): number {
    return this.#issued;
  }
  /** Depth of the request sent last (read right after `request()` returned its promise). */
  get lastDepth(): number {
    return this.#last;
  }
  /** The depth of the answer being handled now; 0 outside any (a notification, a click). */
  get context(): number {
    return this.#context ?? 0;
  }
  sent(name: string, after?: number): number {
    const depth = (after ?? this.context) + 1;
    this.#issued = Math.max(this.#issued, depth);
    this.#last = depth;
    if (this.sentSinceMark.length < 32) this.sentSinceMark.push({ name, depth });
    return depth;
  }
  /**
   * An answer arrived: what its handler sends in the same turn (its continuation runs in
   * microtasks, before the next task) is one deeper.
   */
  acked(depth: number): void {
    this.#context = depth;
    setTimeout(() => {
      if (this.#context === depth) this.#context = undefined;
    }, 0);
  }
}

/**
 * The typed socket plus request/ack helpers, and the `welcome` each connection starts
 * with. The socket can move to another node (`moveTo`, for `wrong_node`): listeners
 * registered with `onSocket` follow it. Reconnects are quick (a server restart should not
 * add seconds of backoff), and also follow a refusal while the server drains.
 */
export class SignallingClient {
  #socket: SignallingSocket;
  #url: string;
  readonly #auth: Record<string, unknown>;
  readonly #setups: ((socket: SignallingSocket) => void)[] = [];
  #acks = 0;
  readonly roundTrips = new RoundTrips();
  /** The current connection's welcome; replaced on every (re)connect. */
  #welcome: Promise<Welcome>;
  #resolveWelcome!: (w: Welcome) => void;
  #welcomed = false;

  constructor(url: string, auth: Record<string, unknown>) {
    this.#auth = auth;
    this.#url = url;
    this.#welcome = this.#newWelcome();
    this.#socket = this.#open(url);
    this.onSocket((socket) => {
      // A new connection brings a new welcome; one still awaited is kept.
      socket.on('connect', () => {
        if (this.#welcomed) this.#welcome = this.#newWelcome();
      });
      socket.on('welcome', (w) => {
        this.#welcomed = true;
        this.#resolveWelcome(w);
      });
    });
  }

  /**
   * The welcome of the current connection (router capabilities, ICE servers): it comes
   * before any answer, so waiting for it costs no round trip.
   */
  welcome(): Promise<Welcome> {
    return this.#welcome;
  }

  #newWelcome(): Promise<Welcome> {
    this.#welcomed = false;
    return new Promise<Welcome>((resolve) => (this.#resolveWelcome = resolve));
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
      // A restarted server is back within seconds: look often, with jitter so a room's
      // clients do not arrive in one burst.
      reconnectionDelay: 250,
      reconnectionDelayMax: 1000,
      randomizationFactor: 0.5,
    });
  }

  /** Acks received so far on this client. */
  get acks(): number {
    return this.#acks;
  }

  /**
   * Sends a request and resolves with its answer (rejects with RequestError). `after`: the
   * depth of the answer this request follows from, when it is sent later than that answer's
   * handler (see RoundTrips).
   */
  async request<K extends RequestName>(
    name: K,
    payload: RequestOf<K>,
    opts: { after?: number } = {},
  ): Promise<ResponseOf<K>> {
    const timed = this.#socket.timeout(REQUEST_TIMEOUT_MS);
    // socket.io's typings cannot resolve an emit over a generic event name.
    const emit = timed.emitWithAck.bind(timed) as (
      event: K,
      payload: RequestOf<K>,
    ) => Promise<Ack<ResponseOf<K>>>;
    let res: Ack<ResponseOf<K>>;
    const depth = this.roundTrips.sent(name, opts.after);
    try {
      res = await emit(name, payload);
    } catch {
      throw new RequestError('timeout', `${name}: no answer within ${REQUEST_TIMEOUT_MS} ms`);
    }
    this.roundTrips.acked(depth);
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
