import { cp, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const clientRoot = fileURLToPath(new URL('../../client/', import.meta.url));

/**
 * Builds the client into a fresh temp folder (never client/dist, which others use) with the
 * test hooks on, and returns the folder for CLIENT_DIST.
 *
 * `entry: 'call'` builds only the call page (RoomPage at any path) for media work while
 * the app shell is elsewhere in flux; tests default to the real app.
 */
export async function buildClient(opts: { entry?: 'app' | 'call' } = {}): Promise<string> {
  const outDir = await mkdtemp(path.join(tmpdir(), 'samkons-client-'));
  // A test-hooks build made earlier in this run (tests/support/prebuilt-client.ts, the e2e
  // project's global setup) or given for local iteration (`SAMKONS_TEST_CLIENT_DIST=dir`),
  // copied because callers delete what they get.
  const prebuilt = process.env.SAMKONS_TEST_CLIENT_DIST;
  if (prebuilt && (opts.entry ?? 'app') === 'app') {
    await cp(prebuilt, outDir, { recursive: true });
    return outDir;
  }
  process.env.VITE_SAMKONS_TEST_HOOKS = 'true';
  // Vitest sets NODE_ENV=test and Vite would bake it into the bundle, shipping development
  // React (StrictMode double effects, slower renders). Browsers test what users get.
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    return await buildInto(outDir, opts.entry ?? 'app');
  } finally {
    if (nodeEnv === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = nodeEnv;
  }
}

async function buildInto(outDir: string, entryKind: 'app' | 'call'): Promise<string> {
  if (entryKind === 'call') {
    const entry = path.join(clientRoot, 'src/features/call/standalone.tsx');
    await build({
      root: clientRoot,
      configFile: path.join(clientRoot, 'vite.config.ts'),
      logLevel: 'warn',
      build: {
        outDir,
        emptyOutDir: true,
        sourcemap: false,
        rollupOptions: { input: entry, output: { entryFileNames: 'call.js' } },
      },
    });
    await writeFile(
      path.join(outDir, 'index.html'),
      '<!doctype html><html><body><div id="root"></div><script type="module" src="/call.js"></script></body></html>',
    );
    return outDir;
  }
  await build({
    root: clientRoot,
    configFile: path.join(clientRoot, 'vite.config.ts'),
    logLevel: 'warn',
    build: { outDir, emptyOutDir: true, sourcemap: false },
  });
  return outDir;
}
