/**
 * Runs a database sweep every `intervalMs` (reminders, idle-session close): never two runs
 * at once (a slow run is not overlapped by the next tick), a failed run is reported and the
 * next tick tries again, the timer does not keep an otherwise finished process alive, and
 * `stop` waits for a run in progress so the database can close after it.
 */
export class PeriodicRun {
  readonly #run: (now: Date) => Promise<unknown>;
  readonly #intervalMs: number;
  readonly #onError: (err: unknown) => void;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<unknown> | undefined;

  constructor(opts: {
    run: (now: Date) => Promise<unknown>;
    intervalMs: number;
    onError: (err: unknown) => void;
  }) {
    this.#run = opts.run;
    this.#intervalMs = opts.intervalMs;
    this.#onError = opts.onError;
  }

  start(): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => this.#tick(), this.#intervalMs);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#running;
  }

  #tick(): void {
    if (this.#running) return;
    this.#running = this.#run(new Date())
      .catch((err: unknown) => this.#onError(err))
      .finally(() => {
        this.#running = undefined;
      });
  }
}
