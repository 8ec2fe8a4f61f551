import type { Redis } from 'ioredis';
import type { FastifyBaseLogger } from 'fastify';
import type { DomainEventBus, DomainEvents } from '../consent/events.js';
import {
  decodeEvent,
  domainEventNames,
  encodeEvent,
  type DomainEventName,
  type RelayedEvent,
} from './event-codec.js';

/**
 * Bridges the local domain-event bus to every other node: events emitted here are published
 * on one Redis channel; events from other nodes are re-emitted here and never published
 * again (no loops). Why: a consent withdrawn through node A's API must reach the node that
 * hosts the live session at once.
 */
export class EventRelay {
  readonly #bus: DomainEventBus;
  readonly #publisher: Redis;
  readonly #subscriber: Redis;
  readonly #channel: string;
  readonly #nodeId: string;
  readonly #log: FastifyBaseLogger;
  /** Events that arrived from another node: re-emitting them must not publish them. */
  readonly #remote = new WeakSet<object>();
  #off: (() => void)[] = [];

  constructor(deps: {
    bus: DomainEventBus;
    publisher: Redis;
    /** A connection of its own: Redis allows only (p)subscribe commands on it. */
    subscriber: Redis;
    channel: string;
    nodeId: string;
    log: FastifyBaseLogger;
  }) {
    this.#bus = deps.bus;
    this.#publisher = deps.publisher;
    this.#subscriber = deps.subscriber;
    this.#channel = deps.channel;
    this.#nodeId = deps.nodeId;
    this.#log = deps.log.child({ module: 'event-relay' });
  }

  /** Resolves once subscribed, so no event from another node is missed after start. */
  async start(): Promise<void> {
    this.#subscriber.on('message', this.#onMessage);
    await this.#subscriber.subscribe(this.#channel);
    for (const name of domainEventNames) {
      this.#off.push(this.#bus.on(name, (event) => this.#publish(name, event)));
    }
  }

  async close(): Promise<void> {
    for (const off of this.#off) off();
    this.#off = [];
    this.#subscriber.off('message', this.#onMessage);
    await this.#subscriber.unsubscribe(this.#channel).catch(() => undefined);
  }

  #publish<K extends DomainEventName>(name: K, event: DomainEvents[K]): void {
    if (this.#remote.has(event)) return;
    this.#publisher
      .publish(this.#channel, encodeEvent(this.#nodeId, name, event))
      .catch((err: unknown) => this.#log.error({ err, name }, 'domain event not relayed'));
  }

  readonly #onMessage = (channel: string, raw: string): void => {
    if (channel !== this.#channel) return;
    const decoded = decodeEvent(raw);
    if (!decoded.ok) {
      this.#log.warn({ error: decoded.error }, 'malformed domain event dropped');
      return;
    }
    const { message } = decoded;
    if (message.node === this.#nodeId) return;
    this.#remote.add(message.event);
    emitRelayed(this.#bus, message);
  };
}

function emitRelayed(bus: DomainEventBus, m: RelayedEvent): void {
  // The union pairs each name with its payload; emit's generic cannot follow it.
  (bus.emit as (name: DomainEventName, event: RelayedEvent['event']) => void)(m.name, m.event);
}
