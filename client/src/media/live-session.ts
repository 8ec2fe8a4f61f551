import { fetchIceServers } from './ice-servers';
import type {
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
import type { SignallingClient } from './signalling-client.js';

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
  selfId: string | null;
  /** Everyone admitted, including this participant. */
  participants: readonly SessionParticipant[];
  /** Only for participants who may admit. */
  lobby: readonly LobbyEntry[];
  roster: Roster;
  chat: readonly ChatMessage[];
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

const EMPTY_ROSTER: Roster = { people: [], setByParticipantId: null };

export class LiveSession {
  readonly media: MediaSession;
  readonly #listeners = new Set<() => void>();
  readonly #eventListeners = new Set<(e: LiveEvent) => void>();
  #snapshot: LiveSnapshot = {
    phase: 'connecting',
    waitingForConsent: false,
    selfId: null,
    participants: [],
    lobby: [],
    roster: EMPTY_ROSTER,
    chat: [],
  };
  /** performance.now() when this participant was admitted (directly or from the lobby). */
  admittedAt: number | undefined;
  /** True once this participant has waited in the lobby. */
  waitedInLobby = false;

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
  raiseHand = async (raised: boolean) => {
    await this.#signalling.request('raiseHand', { raised });
    this.#setHand(this.#snapshot.selfId, raised);
  };

  // -------------------------------------------------------------------------------------

  /** The media gate: true once admitted (straight in, or later via `admitted`). */
  async #enter(): Promise<boolean> {
    const res: EnterResponse = await this.#signalling.request('enter', {});
    if (res.status === 'admitted') {
      this.#admit(res.session);
      return true;
    }
    this.waitedInLobby = true;
    this.#set({
      phase: 'waiting',
      waitingForConsent: res.lobbyEntry.waitingForConsent,
      selfId: res.lobbyEntry.participantId,
    });
    return false;
  }

  #admit(session: SessionStateData): void {
    this.admittedAt ??= performance.now();
    this.#set({
      phase: 'admitted',
      waitingForConsent: false,
      selfId: session.selfParticipantId,
      participants: session.participants,
      lobby: session.lobby,
      roster: session.roster,
      chat: session.chat,
    });
  }

  #listen(): void {
    const socket = this.#signalling.socket;
    socket.on('admitted', ({ session }) => {
      this.#admit(session);
      this.media.admitted();
    });
    socket.on('lobbyChanged', ({ lobby }) => this.#set({ lobby }));
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
    this.media.subscribe(() => {
      const { state, error } = this.media.getSnapshot();
      const final = ['denied', 'removed', 'ended', 'left'].includes(this.#snapshot.phase);
      if (state === 'closed' && !final) this.#set({ phase: 'failed', ...(error ? { error } : {}) });
    });
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
