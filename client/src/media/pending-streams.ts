/**
 * Remote streams the server announced (`newConsumer`) that the browser is still making.
 * Making one takes a while (a renegotiation of the receive transport, queued behind the
 * others), and the server may say meanwhile that it is gone: its `consumerClosed`, or its
 * participant's `peerLeft` (a reload or a leave right after publishing). That word must
 * win when the stream is ready, or the stream would come back as a tile of nobody.
 */
export class PendingStreams {
  /** Consumer id -> the participant it carries. */
  readonly #making = new Map<string, string>();
  readonly #gone = new Set<string>();

  /** The browser starts making this stream. */
  begin(consumerId: string, peerId: string): void {
    this.#making.set(consumerId, peerId);
  }

  /** The server closed a stream; true when it was still being made (settle drops it). */
  closed(consumerId: string): boolean {
    if (!this.#making.has(consumerId)) return false;
    this.#gone.add(consumerId);
    return true;
  }

  /** A participant left: none of the streams being made for them is kept. */
  peerLeft(peerId: string): void {
    for (const [consumerId, of] of this.#making) {
      if (of === peerId) this.#gone.add(consumerId);
    }
  }

  /** The stream is made (or failed): true to keep it, false when the server closed it. */
  settle(consumerId: string): boolean {
    const keep = this.#making.has(consumerId) && !this.#gone.has(consumerId);
    this.#making.delete(consumerId);
    this.#gone.delete(consumerId);
    return keep;
  }
}
