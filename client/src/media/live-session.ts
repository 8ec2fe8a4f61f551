import { fetchIceServers } from './ice-servers';
import type {
  LiveAgenda,
  NewPlanItem,
  PlanItem,
  PlanItemPatch,
  SessionGrants,
  ChatMessage,
  EnterResponse,
  LobbyEntry,
  RemovedReason,
  Roster,
  RosterEntry,
  SessionEndedReason,
  SessionParticipant,
  SessionState as SessionStateData,
} from '@samkons/shared';
import { MediaSession, type SessionOptions } from './session.js';
import { RequestError, type SignallingClient, type SignallingSocket } from './signalling-client.js';

/**
 * The live session around the media, on the same socket: enter, the waiting room, admission,
 * chat, raised hands, the roster and host actions (shared/src/session.ts). The media join
 * waits behind `enter` until this participant is admitted.
 */
export type Phase =
  /** Connecting, or entering. */
  | 'connecting'
  /** In the waiting room. */
  | 'waiting'
  | 'admitted'
  | 'denied'
  | 'removed'
  | 'ended'
  | 'left'
  | 'failed';

export interface LiveSnapshot {
  phase: Phase;
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
  phase: 'connecting',
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

/** `wrong_node` redirects followed before an enter succeeds (guards against loops). */
const MAX_REDIRECTS = 2;

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
  readonly #listeners = new Set<() => void>();
  readonly #eventListeners = new Set<(e: LiveEvent) => void>();
  #snapshot: LiveSnapshot = EMPTY_SNAPSHOT;
  /** performance.now() when this participant was admitted (directly or from the lobby). */
  admittedAt: number | undefined;
  /** True once this participant has waited in the lobby. */
  waitedInLobby = false;
  /** `wrong_node` redirects since the last successful enter. */
  #redirects = 0;

  constructor(
    opts: Omit<SessionOptions, 'gate' | 'auth'> & { token: string; consultationId: string },
  ) {
    const { token, consultationId, ...rest } = opts;
    this.media = new MediaSession({
      ...rest,
      auth: { token, consultationId },
      gate: () => this.#enter(),
      iceServers: () => fetchIceServers(token, rest.url),
    });
    this.#listen();
  }

  get #signalling(): SignallingClient {
    return this.media.signalling;
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

  start(): void {
    this.media.start();
  }

  leave(): void {
    this.#set({ phase: 'left' });
    this.media.close();
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

  /**
   * The media gate: true once admitted (straight in, or later via `admitted`). When another
   * node hosts the session (`wrong_node`), the socket moves there and enters again on
   * connect: false here, nothing to join on this socket.
   */
  async #enter(): Promise<boolean> {
    let res: EnterResponse;
    try {
      res = await this.#signalling.request('enter', {});
    } catch (err) {
      if (this.#redirect(err)) return false;
      throw err;
    }
    this.#redirects = 0;
    if (res.status === 'admitted') {
      this.#admit(res.session);
      return true;
    }
    this.waitedInLobby = true;
    this.#set({
      phase: 'waiting',
      waitingForConsent: res.lobbyEntry.waitingForConsent,
      heldForPart: res.lobbyEntry.heldForPart ?? false,
      selfId: res.lobbyEntry.participantId,
    });
    return false;
  }

  /**
   * Follows a `wrong_node` error to the node it names: only an http(s) URL, only another
   * origin than the current one, and at most MAX_REDIRECTS times before an enter succeeds
   * (two nodes pointing at each other must not bounce the client forever). The REST API
   * stays where it is (every node shares the database); media follows the socket, since
   * the owning node hands out its own ICE candidates.
   */
  #redirect(err: unknown): boolean {
    if (!(err instanceof RequestError) || err.reason !== 'wrong_node' || !err.redirectUrl) {
      return false;
    }
    const target = httpOrigin(err.redirectUrl);
    const current = httpOrigin(this.#signalling.url);
    if (!target || target === current || this.#redirects >= MAX_REDIRECTS) return false;
    this.#redirects++;
    this.#signalling.moveTo(target);
    return true;
  }

  #admit(session: SessionStateData): void {
    this.admittedAt ??= performance.now();
    this.#set({
      phase: 'admitted',
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
    // The plan so far; changes arrive as `planChanged`. A server without plans answers
    // with an error: the call simply has no plan then.
    this.#signalling
      .request('planGet', {})
      .then(({ items }) => this.#set({ plan: items }))
      .catch(() => undefined);
  }

  #listen(): void {
    this.#signalling.onSocket((socket) => this.#listenOn(socket));
    this.media.subscribe(() => {
      const { state, error } = this.media.getSnapshot();
      const final = ['denied', 'removed', 'ended', 'left'].includes(this.#snapshot.phase);
      if (state === 'closed' && !final) this.#set({ phase: 'failed', ...(error ? { error } : {}) });
    });
  }

  #listenOn(socket: SignallingSocket): void {
    socket.on('admitted', ({ session }) => {
      this.#admit(session);
      this.media.admitted();
    });
    socket.on('lobbyChanged', ({ lobby }) => this.#set({ lobby }));
    socket.on('agendaChanged', ({ agenda }) => this.#set({ agenda }));
    socket.on('planChanged', ({ items }) => this.#set({ plan: items }));
    socket.on('waitingForPart', ({ held }) => {
      if (held && this.#snapshot.phase === 'admitted') {
        // Sent back to the waiting room for a staff-only part: media off until the next part.
        this.waitedInLobby = true;
        this.media.hold();
        this.#set({ phase: 'waiting', heldForPart: true, waitingForConsent: false, lobby: [] });
        return;
      }
      // Still waiting, no longer for the part: now for consent or a host.
      this.#set({ heldForPart: held, ...(held ? {} : { waitingForConsent: true }) });
    });
    socket.on('denied', ({ reason }) => this.#finish({ phase: 'denied', deniedReason: reason }));
    socket.on('removed', ({ reason }) => this.#finish({ phase: 'removed', removedReason: reason }));
    socket.on('sessionEnded', ({ reason }) =>
      this.#finish({ phase: 'ended', endedReason: reason }),
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

  /** The server disconnects right after a final notification: do not reconnect. */
  #finish(patch: Partial<LiveSnapshot>): void {
    this.#set(patch);
    this.media.close();
  }

  #setHand(participantId: string | null, raised: boolean): void {
    if (!participantId) return;
    this.#set({
      participants: this.#snapshot.participants.map((p) =>
        p.id === participantId ? { ...p, handRaised: raised } : p,
      ),
    });
  }

  #set(patch: Partial<LiveSnapshot>): void {
    this.#snapshot = { ...this.#snapshot, ...patch };
    for (const l of this.#listeners) l();
  }

  #fire(e: LiveEvent): void {
    for (const l of this.#eventListeners) l(e);
  }
}
