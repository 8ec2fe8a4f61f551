import { Session } from 'node:inspector';

/**
 * Collects, once, the garbage that starting the node left, as V8 does when told that memory
 * is low (a full, compacting collection that also shrinks the young generation and returns
 * its pages). Resolves with how long it took, or undefined where the runtime has no inspector.
 *
 * Why: starting allocates a lot that lives briefly (modules' source being compiled,
 * PGlite's 9 MB WASM file read to compile it, migrations, the demo data). V8 grows its young
 * generation to its maximum (2 x 16 MB) while most of that survives, and an idle server
 * allocates too little to trigger a collection ever again, so it kept that young
 * generation and the garbage promoted out of it resident for good: 25-30 MB of an idle
 * node's memory. A cap on the young generation instead (--max-semi-space-size) costs
 * scavenges under load and kept the promoted garbage (the WASM file's buffer among it).
 *
 * The inspector protocol is in-process here (no port opens); its HeapProfiler.collectGarbage
 * is V8's LowMemoryNotification, the only memory-reducing collection Node exposes without
 * --expose-gc.
 */
export function collectStartupGarbage(): Promise<number | undefined> {
  return new Promise((resolve) => {
    let session: Session;
    try {
      session = new Session();
      session.connect();
    } catch {
      resolve(undefined);
      return;
    }
    const began = performance.now();
    session.post('HeapProfiler.collectGarbage', (err) => {
      const ms = err ? undefined : performance.now() - began;
      // Not from inside the callback: Node 20 then never runs its event loop again.
      setImmediate(() => {
        session.disconnect();
        resolve(ms);
      });
    });
  });
}
