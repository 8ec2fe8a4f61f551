/**
 * Loss of one received RTP stream, from its sequence numbers. A packet above the highest
 * seen so far arrives in order (a jump leaves a gap); one below it that fills a gap is a
 * late arrival, in practice a retransmission answering a NACK. So the tracker tells the
 * loss the network (or a socket buffer) caused from the loss left after repair.
 */

const HISTORY = 4096;

export interface SeqCounts {
  /** Extended highest sequence number + 1 - first: the packets that should have arrived. */
  expected: number;
  /** Distinct packets that arrived, in order or late. */
  received: number;
  /** Distinct packets that arrived in order (not counting retransmissions). */
  inOrder: number;
  duplicates: number;
}

export class SeqTracker {
  #first: number | undefined;
  #highest = -1;
  #received = 0;
  #inOrder = 0;
  #duplicates = 0;
  /** Extended sequence number stored at ext % HISTORY once that packet arrived. */
  readonly #seen = new Float64Array(HISTORY).fill(-1);

  get started(): boolean {
    return this.#first !== undefined;
  }

  /** Records a packet by its 16-bit sequence number. */
  add(seq: number): void {
    const ext = this.#extend(seq & 0xffff);
    if (this.#first === undefined) {
      this.#first = ext;
      this.#highest = ext - 1;
    }
    if (ext < this.#first) return; // from before the stream's first packet here
    const slot = ext % HISTORY;
    if (ext > this.#highest) {
      this.#highest = ext;
      this.#inOrder++;
      this.#received++;
      this.#seen[slot] = ext;
      return;
    }
    if (this.#highest - ext >= HISTORY || this.#seen[slot] === ext) {
      this.#duplicates++;
      return;
    }
    this.#seen[slot] = ext;
    this.#received++;
  }

  counts(): SeqCounts {
    return {
      expected: this.#first === undefined ? 0 : this.#highest - this.#first + 1,
      received: this.#received,
      inOrder: this.#inOrder,
      duplicates: this.#duplicates,
    };
  }

  /** The 16-bit number as the extended one closest to the highest seen. */
  #extend(seq: number): number {
    if (this.#highest < 0) return seq;
    const cycle = this.#highest - (this.#highest & 0xffff);
    let ext = cycle + seq;
    if (ext - this.#highest > 0x8000) ext -= 0x10000;
    else if (this.#highest - ext > 0x8000) ext += 0x10000;
    return ext;
  }
}

/** What happened between two snapshots of the same tracker(s). */
export function countsBetween(before: SeqCounts, after: SeqCounts): SeqCounts {
  return {
    expected: after.expected - before.expected,
    received: after.received - before.received,
    inOrder: after.inOrder - before.inOrder,
    duplicates: after.duplicates - before.duplicates,
  };
}

export function sumCounts(all: SeqCounts[]): SeqCounts {
  return all.reduce(
    (a, c) => ({
      expected: a.expected + c.expected,
      received: a.received + c.received,
      inOrder: a.inOrder + c.inOrder,
      duplicates: a.duplicates + c.duplicates,
    }),
    { expected: 0, received: 0, inOrder: 0, duplicates: 0 },
  );
}
