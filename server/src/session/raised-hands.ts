/** Who has a hand up, in the order they raised it. */
export class RaisedHands {
  readonly #raised = new Set<string>();

  isRaised(participantId: string): boolean {
    return this.#raised.has(participantId);
  }

  /** Returns true when the state changed (only changes are broadcast). */
  set(participantId: string, raised: boolean): boolean {
    if (raised === this.#raised.has(participantId)) return false;
    if (raised) this.#raised.add(participantId);
    else this.#raised.delete(participantId);
    return true;
  }

  clear(): void {
    this.#raised.clear();
  }
}
