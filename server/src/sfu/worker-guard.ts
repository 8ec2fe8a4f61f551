import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

/**
 * A mediasoup worker must never outlive its server process, not even a SIGKILL of Node,
 * which runs no handler: an orphaned worker keeps its ports and its memory. Linux signals a
 * child when its parent dies if the child asked for it (PR_SET_PDEATHSIG); the script
 * server/bin/mediasoup-worker-guard asks for SIGKILL through `setpriv --pdeathsig` and
 * execs the real worker. mediasoup spawns whatever MEDIASOUP_WORKER_BIN names, read once
 * when its module loads, so this module runs before anything imports mediasoup (main.ts
 * imports it first). Where setpriv is missing (not Linux) the worker runs unguarded.
 */
export function guardMediasoupWorker(env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.SAMKONS_MEDIASOUP_WORKER) return true; // already guarded (idempotent)
  const guard = fileURLToPath(new URL('../../bin/mediasoup-worker-guard', import.meta.url));
  const worker = env.MEDIASOUP_WORKER_BIN ?? defaultWorkerBin();
  if (process.platform !== 'linux' || !existsSync('/usr/bin/setpriv') || !existsSync(guard)) {
    return false;
  }
  if (!worker || !existsSync(worker)) return false;
  env.SAMKONS_MEDIASOUP_WORKER = worker;
  env.MEDIASOUP_WORKER_BIN = guard;
  return true;
}

/** Where mediasoup looks without MEDIASOUP_WORKER_BIN (infra/setup.sh links it there). */
function defaultWorkerBin(): string | undefined {
  try {
    const entry = createRequire(import.meta.url).resolve('mediasoup');
    return path.resolve(path.dirname(entry), '../../worker/out/Release/mediasoup-worker');
  } catch {
    return undefined;
  }
}

guardMediasoupWorker();
