import type { Redis } from 'ioredis';
import type { FastifyBaseLogger } from 'fastify';
import type { SessionClaim, SessionDirectory } from '../session/live-sessions.js';

/** Sets the claim when free or ours (refreshing its TTL); answers the holder's value. */
const CLAIM = `
local v = redis.call('GET', KEYS[1])
if (not v) or v == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return ARGV[1]
end
return v`;
/** Deletes only our own claim: one that expired and was taken by another node stays. */
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

/**
 * Which node hosts a consultation's live session: `<prefix>session:<consultationId>` holds
 * the owner's node id and URL, set NX with a TTL, refreshed while the session lives and
 * deleted when it closes. A node that dies leaves its claims to expire.
 */
export class RedisSessionDirectory implements SessionDirectory {
  readonly #redis: Redis;
  readonly #prefix: string;
  readonly #nodeId: string;
  readonly #url: () => string;
  readonly #ttlMs: number;
  readonly #log: FastifyBaseLogger;
  readonly #held = new Set<string>();
  readonly #pending = new Set<Promise<unknown>>();
  readonly #timer: NodeJS.Timeout;

  constructor(deps: {
    redis: Redis;
    keyPrefix: string;
    nodeId: string;
    /** This node's public URL; read lazily because the port is known only after listen. */
    url: () => string;
    ttlMs?: number;
    log: FastifyBaseLogger;
  }) {
    this.#redis = deps.redis;
    this.#prefix = deps.keyPrefix;
    this.#nodeId = deps.nodeId;
    this.#url = deps.url;
    this.#ttlMs = deps.ttlMs ?? 30_000;
    this.#log = deps.log.child({ module: 'session-directory' });
    // Refresh well before expiry; re-claiming also restores a claim lost to a Redis restart.
    this.#timer = setInterval(() => void this.#refresh(), Math.floor(this.#ttlMs / 3));
    this.#timer.unref();
  }

  key(consultationId: string): string {
    return `${this.#prefix}session:${consultationId}`;
  }

  async claim(consultationId: string): Promise<SessionClaim> {
    const mine = this.#value();
    const holder = await this.#eval(CLAIM, consultationId, mine, String(this.#ttlMs));
    if (holder === mine) {
      this.#held.add(consultationId);
      return { owner: 'self' };
    }
    return { owner: 'other', url: urlOf(holder) };
  }

  release(consultationId: string): void {
    if (!this.#held.delete(consultationId)) return;
    this.#track(
      this.#eval(RELEASE, consultationId, this.#value()).catch((err: unknown) =>
        this.#log.warn({ err, consultationId }, 'claim not released; it expires'),
      ),
    );
  }

  /** Resolves when every release sent so far has been answered. */
  async settled(): Promise<void> {
    while (this.#pending.size > 0) await Promise.all([...this.#pending]);
  }

  /** Releases every claim this node holds (graceful shutdown). */
  async close(): Promise<void> {
    clearInterval(this.#timer);
    for (const id of [...this.#held]) this.release(id);
    await this.settled();
  }

  async #refresh(): Promise<void> {
    const mine = this.#value();
    await Promise.all(
      [...this.#held].map(async (id) => {
        try {
          const holder = await this.#eval(CLAIM, id, mine, String(this.#ttlMs));
          if (holder !== mine) {
            this.#log.error({ consultationId: id, holder }, 'session claimed by another node');
          }
        } catch (err) {
          this.#log.warn({ err, consultationId: id }, 'claim not refreshed');
        }
      }),
    );
  }

  #value(): string {
    return JSON.stringify({ node: this.#nodeId, url: this.#url() });
  }

  async #eval(script: string, consultationId: string, ...args: string[]): Promise<unknown> {
    return this.#redis.eval(script, 1, this.key(consultationId), ...args);
  }

  #track(p: Promise<unknown>): void {
    this.#pending.add(p);
    void p.finally(() => this.#pending.delete(p));
  }
}

/** The owner's URL from a claim value; a malformed one (not ours to fix) gives ''. */
function urlOf(holder: unknown): string {
  if (typeof holder !== 'string') return '';
  try {
    const v = JSON.parse(holder) as { url?: unknown };
    return typeof v.url === 'string' ? v.url : '';
  } catch {
    return '';
  }
}
