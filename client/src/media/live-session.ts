import type {
  ChatMessage,
  JoinResponse,
  LiveAgenda,
  LobbyEntry,
  MediaStart,
  MediaTransports,
  NewPlanItem,
  PlanItem,
  PlanItemPatch,
  RemovedReason,
  Roster,
  RosterEntry,
  SessionEndedReason,
  SessionGrants,
  SessionParticipant,
  SessionState as SessionStateData,
} from '@samkons/shared';
import { MediaSession } from './session.js';
import { RequestError, SignallingClient, type SignallingSocket } from './signalling-client.js';
import { next, type CallEvent, type CallState, type EndReason } from './state.js';
import { testRecoveryPolicy } from './test-hooks.js';
import type { RecoveryPolicy } from './transport-recovery.js';

/**
 * The call in this browser, from the pre-join's warm-up to the end screen: one socket for
 * the session (waiting room, admission, chat, raised hands, roster, host actions) and the
 * media (media session.ts), driven by the call state machine (state.ts).
 *
 * The join path is one round trip after the socket opens: the pre-join already connected
 * the socket, received `welcome` and loaded the device; `join` answers with the transports
 * and the consumers to create; the transports' DTLS parameters go to the server without
 * waiting, and the server resumes those consumers once the receive transport connects.
 * Recovery (a dropped socket, a failed transport, a dead worker, a restarted server) runs
 * without anyone clicking: the state says `reconnecting` meanwhile.
 */

export type Phase = CallState;

export interface LiveSnapshot {
  phase: CallState;
  /** Set once `phase` is `ended`. */
  endReason?: EndReason;
  /** Admitted at least once: while reconnecting, show the call, not the waiting room. */
  admitted: boolean;
  /** While waiting: admission needs a consent that does not exist yet. */
  waitingForConsent: boolean;
  /**
   * While waiting: the current agenda part is for health personnel only; the meeting
   * starts for this person when the host moves on (no host action needed).
   */
  heldForPart: boolean;
  /** The consultation's agenda as the session runs it; null when it has none. */
  agenda: LiveAgenda | null;
  /** The agreed plan as written so far (live); empty until loaded. */
  plan: readonly PlanItem[];
  selfId: string | null;
  /** Everyone admitted, including this participant. */
  participants: readonly SessionParticipant[];
  /** Only for participants who may admit. */
  lobby: readonly LobbyEntry[];
  roster: Roster;
  chat: readonly ChatMessage[];
  /** Once admitted: the grants the session applies (they decide which controls show). */
  grants: SessionGrants | null;
  /** The server is restarting (it drains until then); the call reconnects by itself. */
  serverRestartAt?: string;
  deniedReason?: string | null;
  removedReason?: RemovedReason;
  endedReason?: SessionEndedReason;
  error?: string;
}

/** One-off happenings the UI announces (not state). */
export type LiveEvent =
  | { type: 'unmuteRequested'; byDisplayName: string }
  | { type: 'mutedByHost' }
  /** To hosts: the patient (or guardian) refused consent; the patient side cannot be admitted. */
  | { type: 'consentRefused'; byParticipantId: string; at: string }
  | { type: 'chat'; message: ChatMessage }
  | { type: 'handRaised'; participantId: string };

/** Before anything is known; also what the call page reads while there is no session yet. */
export const EMPTY_SNAPSHOT: LiveSnapshot = {
  phase: 'idle',
  admitted: false,
  waitingForConsent: false,
  heldForPart: false,
  agenda: null,
  plan: [],
  selfId: null,
  grants: null,
  participants: [],
  lobby: [],
  roster: { people: [], setByParticipantId: null },
  chat: [],
};

export interface LiveSessionOptions {
  /** Server origin; defaults to the page's own. */
  url?: string;
  /**
   * The socket.io handshake: `{ token, consultationId }` for a consultation,
   * `{ room, displayName }` for a development room.
   */
  auth: Record<string, unknown>;
  /** Recovery timings (tests shorten them; e2e through `window.__samkonsRecovery`). */
  recovery?: RecoveryPolicy;
  /** 'relay' forces media through TURN from the first transports on (the warm-up's too). */
  iceTransportPolicy?: RTCIceTransportPolicy | undefined;
}

/** What the person chose on the pre-join (or the call page's defaults). */
export interface JoinChoices {
  /** Camera and microphone to publish, now or later (`setLocalStream`). */
  localStream?: MediaStream | undefined;
  microphoneOn?: boolean;
  cameraOn?: boolean;
  /** 'relay' forces media through TURN (a diagnostic). */
  iceTransportPolicy?: RTCIceTransportPolicy | undefined;
}

/**
 * At most this long the call view waits, once admitted, for the receive transport to send
 * its DTLS parameters (MediaSession.open): rendering it first would hold those back.
 */
const MAX_RENDER_HOLD_MS = 300;
/** The plan is read once the media receives, or after this long at the latest. */
const PLAN_AFTER_MS = 2000;

/** `wrong_node` redirects followed before a join succeeds (guards against loops). */
const MAX_REDIRECTS = 2;
/** A join refused for now (`unavailable`, a timeout) is tried again after these delays. */
const RETRY_MS = { min: 250, max: 4000 };
/** The server refused the handshake for good: retrying will not help. */
const FINAL_HANDSHAKE_CODES = new Set(['bad_request', 'unauthenticated', 'forbidden']);

/** The origin of an http(s) URL; undefined for anything else. */
function httpOrigin(url: string): string | undefined {
  try {
    const u = new URL(url);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.origin : undefined;
  } catch {
    return undefined;
  }
}

export class LiveSession {
  readonly media: MediaSession;
  readonly #signalling: SignallingClient;
  readonly #listeners = new Set<() => void>();
  readonly #eventListeners = new Set<(e: LiveEvent) => void>();
  #snapshot: LiveSnapshot = EMPTY_SNAPSHOT;
  /** Resolves once the device is loaded for the current connection. */
  #ready: Promise<void> | undefined;
  /** `#ready` once it has resolved: a join then goes out in the caller's task. */
  #loaded: Promise<void> | undefined;
  #joinInFlight = false;
  /** Incremented when the socket drops: answers from an older connection are ignored. */
  #epoch = 0;
  /** Another join is due once the one in flight has answered (a rejoin asked meanwhile). */
  #joinAgain = false;
  #retries = 0;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  /** `wrong_node` redirects since the last successful join. */
  #redirects = 0;
  /** Incremented on each opening of the call and when the media goes: stale holds end. */
  #opening = 0;
  /**
   * Admitted, the call view waiting for the media to start (#openCall): meanwhile the
   * snapshot changes without telling the listeners (each would render the page).
   */
  #openPending = false;
  /** The snapshot changed while `#openPending`. */
  #changedWhilePending = false;
  /** The plan read is due (after the media connects); undefined when none is. */
  #planWait: (() => void) | undefined;
  /** performance.now() when this participant was admitted (directly or from the lobby). */
  admittedAt: number | undefined;
  /** performance.now() of the last admission from the lobby (the admission path's clock). */
  lastAdmissionAt: number | undefined;
  /** True once this participant has waited in the lobby. */
  waitedInLobby = false;

  constructor(opts: LiveSessionOptions) {
    this.#signalling = new SignallingClient(opts.url ?? window.location.origin, opts.auth);
    const recovery = opts.recovery ?? testRecoveryPolicy();
    this.media = new MediaSession({
      signalling: this.#signalling,
      ...(recovery ? { recovery } : {}),
      ...(opts.iceTransportPolicy ? { iceTransportPolicy: opts.iceTransportPolicy } : {}),
      events: {
        health: (health) =>
          this.#apply(health === 'recovering' ? { type: 'connectionLost' } : { type: 'recovered' }),
        rejoin: (reason) => this.#rejoin(reason),
      },
    });
    this.#signalling.onSocket((socket) => this.#listenOn(socket));
  }

  subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  };
  getSnapshot = (): LiveSnapshot => this.#snapshot;

  onEvent(listener: (e: LiveEvent) => void): () => void {
    this.#eventListeners.add(listener);
    return () => this.#eventListeners.delete(listener);
  }

  /**
   * The pre-join's warm-up: connects the socket, takes the `welcome` (router capabilities,
   * ICE servers) and loads the device, so that joining is one round trip.
   */
  prepare(): Promise<void> {
    this.#apply({ type: 'prepare' });
    const ready = this.#connect();
    void ready.then(() => this.#warmUp()).catch(() => undefined);
    return ready;
  }

  /** Joins the call (warm or not): the waiting room or straight in. */
  start(choices: JoinChoices = {}): void {
    this.media.configure(choices);
    if (!this.#apply({ type: 'join' })) return;
    this.#signalling.roundTrips.mark();
    const warm = this.#signalling.socket.connected;
    const ready = this.#connect();
    // Not connected yet: the connect handler joins once the device is loaded.
    if (warm && this.#isLoaded) void this.#join();
    else if (warm) void ready.then(() => this.#join());
  }

  /** The camera and microphone, when they arrive after the join. */
  setLocalStream(stream: MediaStream | undefined): void {
    this.media.setLocalStream(stream);
  }

  leave(): void {
    if (this.#snapshot.phase === 'ended') return;
    const socket = this.#signalling.socket;
    // Best effort: the disconnect that follows tells the server anyway.
    if (socket.connected) void this.#signalling.request('leave', {}).catch(() => undefined);
    this.#end('left');
  }

  admit = (participantId: string) => this.#signalling.request('admit', { participantId });
  deny = (participantId: string) => this.#signalling.request('deny', { participantId });
  remove = (participantId: string) =>
    this.#signalling.request('removeParticipant', { participantId });
  mute = (participantId: string) => this.#signalling.request('muteParticipant', { participantId });
  askToUnmute = (participantId: string) =>
    this.#signalling.request('askToUnmute', { participantId });
  endForAll = () => this.#signalling.request('endSession', {});
  sendChat = (text: string) => this.#signalling.request('sendChat', { text });
  setRoster = (people: RosterEntry[]) => this.#signalling.request('setRoster', { people });
  /** Host only: the plan service checks it is the specialist or organiser. */
  planAdd = (item: NewPlanItem) => this.#signalling.request('planAdd', item);
  planUpdate = (itemId: string, patch: PlanItemPatch) =>
    this.#signalling.request('planUpdate', { itemId, patch });
  planRemove = (itemId: string) => this.#signalling.request('planRemove', { itemId });
  /** Host only (`canModerate`): move the session to an agenda part, or off it (null). */
  moveToPart = (partId: string | null) => this.#signalling.request('moveToPart', { partId });
  raiseHand = async (raised: boolean) => {
    await this.#signalling.request('raiseHand', { raised });
    this.#setHand(this.#snapshot.selfId, raised);
  };

  // -------------------------------------------------------------------------------------

  /** Connects when needed; resolves once this connection's device is loaded. */
  #connect(): Promise<void> {
    const socket = this.#signalling.socket;
    if (!socket.connected && !socket.active) socket.connect();
    this.#ready ??= this.#load();
    return this.#ready;
  }

  async #loadOnWelcome(): Promise<void> {
    const welcome = await this.#signalling.welcome();
    await this.media.load(welcome.routerRtpCapabilities, welcome.iceServers as RTCIceServer[]);
  }

  /** `#loadOnWelcome` for `#ready`, marking it loaded unless the connection changed meanwhile. */
  #load(): Promise<void> {
    const ready: Promise<void> = this.#loadOnWelcome().then(() => {
      if (this.#ready === ready) this.#loaded = ready;
    });
    return ready;
  }

  get #isLoaded(): boolean {
    return this.#ready !== undefined && this.#loaded === this.#ready;
  }

  /** Wants to be in the session: joining, in the lobby, in the call, or getting back. */
  get #wantsIn(): boolean {
    const phase = this.#snapshot.phase;
    return (
      phase === 'joining' || phase === 'lobby' || phase === 'in-call' || phase === 'reconnecting'
    );
  }

  /**
   * Into a call already running: the transports are made and connected while the person
   * is still on the pre-join, so the join after the click only opens the media (see
   * `warmUp`). Not once the person has asked to join: that join decides without them.
   */
  async #warmUp(): Promise<void> {
    if (this.#snapshot.phase !== 'prejoin' || !this.#isLoaded) return;
    const epoch = this.#epoch;
    const { transports } = await this.#signalling.request('warmUp', {
      rtpCapabilities: this.media.rtpCapabilities,
    });
    if (!transports || epoch !== this.#epoch || this.#snapshot.phase !== 'prejoin') return;
    this.media.setUp(transports);
    this.media.connectEarly();
  }

  /**
   * The one request of the join path. A join asked while one is in flight runs after it;
   * one refused for now is tried again with backoff (a worker being replaced, a server
   * draining), never in a tight loop.
   */
  async #join(): Promise<void> {
    if (!this.#wantsIn || !this.#signalling.socket.connected) return;
    if (this.#joinInFlight) {
      this.#joinAgain = true;
      return;
    }
    this.#joinInFlight = true;
    this.#clearRetry();
    const epoch = this.#epoch;
    let res: JoinResponse | undefined;
    let warm = false;
    try {
      // Loaded: no await, so a join from a click goes out in the click's task.
      if (!this.#isLoaded) await this.#ready;
      warm = this.media.warm;
      res = await this.#signalling.request('join', {
        rtpCapabilities: this.media.rtpCapabilities,
        ...(warm ? { warm } : {}),
      });
    } catch (err) {
      if (epoch !== this.#epoch) return;
      this.#joinInFlight = false;
      this.#joinFailed(err);
      return;
    }
    if (epoch !== this.#epoch) return;
    this.#joinInFlight = false;
    if (this.#joinAgain) {
      this.#joinAgain = false;
      return void this.#join();
    }
    if (!this.#wantsIn) return;
    this.#retries = 0;
    this.#redirects = 0;
    // The warm transports when the server kept them (the same ids), else new ones.
    if (warm) this.media.adopt(res.transports);
    else this.media.setUp(res.transports);
    if (res.status === 'waiting') {
      // ICE and DTLS now, so that admission only opens the media.
      this.media.connectEarly();
      this.waitedInLobby = true;
      this.#set({
        waitingForConsent: res.lobbyEntry.waitingForConsent,
        heldForPart: res.lobbyEntry.heldForPart ?? false,
        selfId: res.lobbyEntry.participantId,
      });
      this.#apply({ type: 'waiting' });
      return;
    }
    this.#openCall(res.session, res.transports, res.media);
  }

  /**
   * In the call: session state, then the media (the host's mute first). The phase turns
   * `in-call` (the call view renders, a long task) once the receive transport's DTLS
   * parameters are on their way, so the peer connection's steps up to there do not wait
   * for the render; the plan is read after the media has connected (the server applies a
   * socket's requests in order: read first, it would hold up `connectTransport`).
   */
  #openCall(session: SessionStateData, transports: MediaTransports, media: MediaStart): void {
    const opening = ++this.#opening;
    this.#openPending = true;
    this.#admit(session);
    if (session.selfMutedByHost) this.media.mutedByHost();
    this.media.adopt(transports);
    const epoch = this.#epoch;
    const show = () => {
      clearTimeout(hold);
      if (opening !== this.#opening || epoch !== this.#epoch) return;
      // Once: the hold's timer and the transport, whichever comes first.
      this.#opening++;
      this.#endHold();
      this.#apply({ type: 'admitted' });
      this.#loadPlanWhenReceiving();
    };
    const hold = setTimeout(show, MAX_RENDER_HOLD_MS);
    void this.media.open(media).then(show);
  }

  /**
   * The plan so far, once the media receives (its first remote video arrived, see
   * `MediaSession.whenReceiving`), or PLAN_AFTER_MS after the call opened at the latest;
   * changes arrive as `planChanged`. The first picture does not need it: read at once, its
   * query and the call's render of the answer came while that picture was on its way.
   */
  #loadPlanWhenReceiving(): void {
    this.#planWait?.();
    const load = () => {
      done();
      if (this.#snapshot.phase === 'ended' || !this.#signalling.socket.connected) return;
      // A server without plans answers with an error: the call simply has no plan then.
      this.#signalling
        .request('planGet', {})
        .then(({ items }) => this.#set({ plan: items }))
        .catch(() => undefined);
    };
    const timer = setTimeout(load, PLAN_AFTER_MS);
    const drop = this.media.whenReceiving(load);
    const done = () => {
      clearTimeout(timer);
      drop();
      if (this.#planWait === done) this.#planWait = undefined;
    };
    this.#planWait = done;
  }

  #joinFailed(err: unknown): void {
    if (!this.#wantsIn) return;
    if (err instanceof RequestError) {
      if (this.#redirect(err)) return;
      if (err.reason === 'session_ended')
        return this.#finish({ endedReason: 'ended_by_host' }, 'session_ended');
      // A socket that dropped meanwhile joins again on connect.
      if (!err.transient && this.#signalling.socket.connected) {
        return this.#end('failed', err.message);
      }
    }
    if (!this.#signalling.socket.connected) return;
    const delay = Math.min(RETRY_MS.max, RETRY_MS.min * 2 ** this.#retries++);
    console.warn(`join failed, trying again in ${delay} ms`, err);
    this.#retryTimer = setTimeout(() => void this.#join(), delay);
  }

  /** The media must be set up anew on the same socket; the session is untouched. */
  #rejoin(reason: string): void {
    // A warm-up that broke (the pre-join's transports): dropped, the join sets up anew.
    if (this.#snapshot.phase === 'prejoin') return this.media.teardown();
    if (!this.#wantsIn) return;
    console.warn('media rejoin:', reason);
    this.#opening++;
    this.#endHold();
    this.media.teardown();
    this.#apply({ type: 'connectionLost' });
    void this.#join();
  }

  /**
   * Follows a `wrong_node` error to the node it names: only an http(s) URL, only another
   * origin than the current one, and at most MAX_REDIRECTS times before a join succeeds
   * (two nodes pointing at each other must not bounce the client forever). The REST API
   * stays where it is (every node shares the database); media follows the socket, since
   * the owning node hands out its own ICE candidates.
   */
  #redirect(err: RequestError): boolean {
    if (err.reason !== 'wrong_node' || !err.redirectUrl) return false;
    const target = httpOrigin(err.redirectUrl);
    const current = httpOrigin(this.#signalling.url);
    if (!target || target === current || this.#redirects >= MAX_REDIRECTS) return false;
    this.#redirects++;
    this.#ready = undefined;
    this.#signalling.moveTo(target);
    // The new socket's connect handler loads the device and joins.
    return true;
  }

  #admit(session: SessionStateData): void {
    this.admittedAt ??= performance.now();
    this.#set({
      admitted: true,
      waitingForConsent: false,
      heldForPart: false,
      agenda: session.agenda ?? null,
      selfId: session.selfParticipantId,
      participants: session.participants,
      lobby: session.lobby,
      roster: session.roster,
      chat: session.chat,
      grants: session.grants,
    });
  }

  #listenOn(socket: SignallingSocket): void {
    socket.on('connect', () => {
      this.#clearReconnect();
      this.#ready ??= this.#load();
      // Back after a drop (or a restart): straight back in, the server remembers admission.
      if (this.#wantsIn) void this.#ready.then(() => this.#join());
      else void this.#ready.then(() => this.#warmUp()).catch(() => undefined);
    });
    socket.on('disconnect', (reason) => {
      this.#ready = undefined;
      this.#epoch++;
      this.#endHold();
      this.#joinInFlight = false;
      this.#joinAgain = false;
      this.#clearRetry();
      if (this.#snapshot.phase === 'ended') return;
      this.media.teardown();
      this.#apply({ type: 'connectionLost' });
      // socket.io reconnects by itself except after a server-side disconnect (a node
      // shutting down): then reconnect here, the same way.
      if (reason === 'io server disconnect') this.#scheduleReconnect();
    });
    socket.on('connect_error', (err: Error & { data?: { code?: string } }) => {
      const code = err.data?.code;
      if (code && FINAL_HANDSHAKE_CODES.has(code)) {
        socket.disconnect();
        return this.#end('failed', err.message);
      }
      // A refusal by the server (draining) is not retried by socket.io itself.
      if (code) this.#scheduleReconnect();
    });
    socket.on('admitted', ({ session, transports, media }) => {
      if (this.#snapshot.phase === 'ended') return;
      this.lastAdmissionAt = performance.now();
      this.#signalling.roundTrips.mark();
      if (transports && media) this.#openCall(session, transports, media);
      else {
        // The media was not ready at admission (its room went meanwhile): join for it.
        this.#admit(session);
        void this.#join();
      }
    });
    socket.on('roomClosed', ({ reason }) => {
      if (reason === 'replaced') {
        socket.disconnect();
        return this.#end('replaced', 'This call was opened in another window');
      }
      // The room is gone on the server (e.g. its media worker died): join a fresh one.
      this.#rejoin(`room closed: ${reason}`);
    });
    socket.on('serverDraining', ({ deadline }) => this.#set({ serverRestartAt: deadline }));
    socket.on('lobbyChanged', ({ lobby }) => this.#set({ lobby }));
    socket.on('agendaChanged', ({ agenda }) => this.#set({ agenda }));
    socket.on('planChanged', ({ items }) => this.#set({ plan: items }));
    socket.on('waitingForPart', ({ held }) => {
      // Held while the call view waited for the media to start (#openCall): held all the same.
      if (held && (this.#snapshot.phase === 'in-call' || this.#openPending)) {
        // Sent back to the waiting room for a staff-only part: media off until the next part
        // (the server closed it already); `admitted` opens it again.
        this.waitedInLobby = true;
        this.#opening++;
        this.#endHold();
        this.media.teardown();
        this.#set({ heldForPart: true, waitingForConsent: false, lobby: [] });
        // Still `joining` when a direct join's call view was waiting: the waiting room.
        if (!this.#apply({ type: 'held' })) this.#apply({ type: 'waiting' });
        return;
      }
      // Still waiting, no longer for the part: now for consent or a host.
      this.#set({ heldForPart: held, ...(held ? {} : { waitingForConsent: true }) });
    });
    socket.on('denied', ({ reason }) => this.#finish({ deniedReason: reason }, 'denied'));
    socket.on('removed', ({ reason }) => this.#finish({ removedReason: reason }, 'removed'));
    socket.on('sessionEnded', ({ reason }) =>
      this.#finish({ endedReason: reason }, 'session_ended'),
    );
    socket.on('participantJoined', ({ participant }) => {
      const others = this.#snapshot.participants.filter((p) => p.id !== participant.id);
      this.#set({ participants: [...others, participant] });
    });
    socket.on('participantLeft', ({ participantId }) =>
      this.#set({
        participants: this.#snapshot.participants.filter((p) => p.id !== participantId),
      }),
    );
    socket.on('chatMessage', (message) => {
      this.#set({ chat: [...this.#snapshot.chat, message] });
      this.#fire({ type: 'chat', message });
    });
    socket.on('handRaised', ({ participantId, raised }) => {
      this.#setHand(participantId, raised);
      if (raised) this.#fire({ type: 'handRaised', participantId });
    });
    socket.on('rosterChanged', ({ roster }) => this.#set({ roster }));
    socket.on('mutedByHost', ({ participantId, producerId }) => {
      if (participantId !== this.#snapshot.selfId) return;
      this.media.mutedByHost(producerId);
      this.#fire({ type: 'mutedByHost' });
    });
    socket.on('unmuteRequested', ({ byDisplayName }) =>
      this.#fire({ type: 'unmuteRequested', byDisplayName }),
    );
    socket.on('consentRefused', ({ byParticipantId, at }) =>
      this.#fire({ type: 'consentRefused', byParticipantId, at }),
    );
  }

  /** A manual reconnect with a short, jittered delay (for refusals socket.io does not retry). */
  #scheduleReconnect(): void {
    if (this.#reconnectTimer || this.#snapshot.phase === 'ended') return;
    const delay = 250 + Math.random() * 500;
    this.#reconnectTimer = setTimeout(() => {
      this.#reconnectTimer = undefined;
      const socket = this.#signalling.socket;
      if (this.#snapshot.phase !== 'ended' && !socket.connected) socket.connect();
    }, delay);
  }

  #clearReconnect(): void {
    if (this.#reconnectTimer) clearTimeout(this.#reconnectTimer);
    this.#reconnectTimer = undefined;
  }

  #clearRetry(): void {
    if (this.#retryTimer) clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
  }

  /** The server disconnects right after a final notification: do not reconnect. */
  #finish(patch: Partial<LiveSnapshot>, reason: EndReason): void {
    this.#set(patch);
    this.#end(reason);
  }

  #end(reason: EndReason, error?: string): void {
    if (!this.#apply({ type: 'end', reason })) return;
    this.#set({ endReason: reason, ...(error ? { error } : {}) });
    this.#clearRetry();
    this.#clearReconnect();
    this.#endHold();
    this.#planWait?.();
    this.media.close();
    this.#signalling.socket.disconnect();
  }

  #setHand(participantId: string | null, raised: boolean): void {
    if (!participantId) return;
    this.#set({
      participants: this.#snapshot.participants.map((p) =>
        p.id === participantId ? { ...p, handRaised: raised } : p,
      ),
    });
  }

  #apply(event: CallEvent): boolean {
    const to = next(this.#snapshot.phase, event);
    if (!to) return false;
    this.#set({ phase: to });
    return true;
  }

  #set(patch: Partial<LiveSnapshot>): void {
    this.#snapshot = { ...this.#snapshot, ...patch };
    if (this.#openPending) {
      this.#changedWhilePending = true;
      return;
    }
    for (const l of this.#listeners) l();
  }

  /** The call view's wait is over (or called off): the listeners hear what changed. */
  #endHold(): void {
    if (!this.#openPending) return;
    this.#openPending = false;
    if (!this.#changedWhilePending) return;
    this.#changedWhilePending = false;
    for (const l of this.#listeners) l();
  }

  #fire(e: LiveEvent): void {
    for (const l of this.#eventListeners) l(e);
  }
}
