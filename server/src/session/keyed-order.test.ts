import { describe, expect, it } from 'vitest';
import { KeyedOrder } from './keyed-order.js';

/** A piece of work that finishes (or fails) only when the test says so. */
function gate() {
  let open!: () => void;
  let fail!: (err: Error) => void;
  const done = new Promise<void>((resolve, reject) => {
    open = resolve;
    fail = reject;
  });
  return { done, open, fail };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('KeyedOrder', () => {
  it('runs the work of one key in the order asked, even when the first is slower', async () => {
    const order = new KeyedOrder();
    const log: string[] = [];
    const slow = gate();
    const first = order.run('c1', async () => {
      log.push('vacated:start');
      await slow.done;
      log.push('vacated:end');
    });
    const second = order.run('c1', () => {
      log.push('occupied');
      return Promise.resolve('second');
    });
    await tick();
    expect(log).toEqual(['vacated:start']);
    slow.open();
    await first;
    expect(await second).toBe('second');
    expect(log).toEqual(['vacated:start', 'vacated:end', 'occupied']);
  });

  it('does not hold one key back for another', async () => {
    const order = new KeyedOrder();
    const slow = gate();
    void order.run('c1', () => slow.done);
    let other = false;
    await order.run('c2', () => {
      other = true;
      return Promise.resolve();
    });
    expect(other).toBe(true);
    slow.open();
  });

  it('goes on after a failure, which reaches only its own caller', async () => {
    const order = new KeyedOrder();
    const broken = gate();
    const first = order.run('c1', () => broken.done);
    const second = order.run('c1', () => Promise.resolve(2));
    broken.fail(new Error('db down'));
    await expect(first).rejects.toThrow('db down');
    expect(await second).toBe(2);
  });

  it('idle waits for the work asked for so far, and never rejects', async () => {
    const order = new KeyedOrder();
    const slow = gate();
    void order.run('c1', () => slow.done).catch(() => undefined);
    let idle = false;
    const waiting = order.idle('c1').then(() => {
      idle = true;
    });
    await tick();
    expect(idle).toBe(false);
    slow.fail(new Error('db down'));
    await waiting;
    expect(idle).toBe(true);
    await expect(order.idle('unknown')).resolves.toBeUndefined();
  });
});
