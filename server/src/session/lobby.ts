import type { LobbyEntry } from '@samkons/shared';

/** Who is waiting: what the hosts must see to decide (nobody unknown may be present). */
export type LobbyCandidate = Omit<LobbyEntry, 'waitingForConsent' | 'since'>;

/**
 * The waiting room of one session, pure state: entries in arrival order. Leaving the
 * lobby (admitted, denied, gone) is `take`; the consent flag follows the consent gate.
 */
export class Lobby {
  readonly #entries = new Map<string, LobbyEntry>();

  has(participantId: string): boolean {
    return this.#entries.has(participantId);
  }

  get(participantId: string): LobbyEntry | undefined {
    return this.#entries.get(participantId);
  }

  /** Adds someone; a participant already waiting (a reloaded tab) keeps their place. */
  add(candidate: LobbyCandidate, waitingForConsent: boolean, now: Date): LobbyEntry {
    const since = this.#entries.get(candidate.participantId)?.since ?? now.toISOString();
    const entry: LobbyEntry = { ...candidate, waitingForConsent, since };
    this.#entries.set(candidate.participantId, entry);
    return entry;
  }

  /** Removes and returns the entry (admitted, denied or gone); undefined when not waiting. */
  take(participantId: string): LobbyEntry | undefined {
    const entry = this.#entries.get(participantId);
    this.#entries.delete(participantId);
    return entry;
  }

  /** Returns true when the flag changed (callers then tell the hosts). */
  setWaitingForConsent(participantId: string, waiting: boolean): boolean {
    const entry = this.#entries.get(participantId);
    if (!entry || entry.waitingForConsent === waiting) return false;
    this.#entries.set(participantId, { ...entry, waitingForConsent: waiting });
    return true;
  }

  /** Longest waiting first. */
  entries(): LobbyEntry[] {
    return [...this.#entries.values()].sort((a, b) => a.since.localeCompare(b.since));
  }

  clear(): void {
    this.#entries.clear();
  }
}
