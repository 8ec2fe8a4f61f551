import { defineConfig } from 'vitest/config';

// `samkons-source` makes @samkons/shared resolve to its TypeScript sources in tests.
const resolve = { conditions: ['samkons-source', 'module', 'node', 'import', 'default'] };

export default defineConfig({
  resolve,
  // Vitest passes ssr.resolve.conditions to Node as --conditions for external packages:
  // 'import'/'module' there make CommonJS `require` pick ESM builds (pg -> pg-pool breaks).
  ssr: {
    resolve: { conditions: ['samkons-source', 'node'], externalConditions: ['samkons-source'] },
  },
  test: {
    // Vitest 3 runs every project's files in one pool per pool kind, sized from this root
    // config alone: a project's `fileParallelism: false` does not hold them to one at a time.
    // So the unit tests (pure, quick) run first on threads, two at a time, and the tests that
    // start real servers, workers and browsers then run on forks, one file at a time, on any
    // machine (on 2 cores Vitest's default of cores - 1 made it so by chance, unit tests too).
    // Those files share one process per project (`isolate: false`): each of them imported
    // Playwright, the server's modules and PGlite afresh in a new fork, 1-1.5 s a file (the
    // suite's 64 such files spent 363 s between them, 283 s so). Every file closes the
    // servers and browsers it starts, so nothing of one runs on into the next.
    poolOptions: {
      threads: { maxThreads: 2, minThreads: 1 },
      forks: { maxForks: 1, minForks: 1, isolate: false },
    },
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          pool: 'threads',
          sequence: { groupOrder: 0 },
          include: [
            'shared/src/**/*.test.ts',
            'server/src/**/*.test.ts',
            'client/src/**/*.test.{ts,tsx}',
            'bench/**/*.test.ts',
          ],
          environment: 'node',
          // Some unit tests open an in-memory PGlite: its WASM start-up and first queries are
          // slow on a busy machine, beyond vitest's 5 s default.
          hookTimeout: 60_000,
          testTimeout: 30_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          sequence: { groupOrder: 1 },
          include: ['tests/integration/**/*.test.ts'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
          // Each file starts real servers and workers: one file at a time on 2 cores.
          fileParallelism: false,
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          sequence: { groupOrder: 1 },
          include: ['tests/e2e/**/*.test.ts'],
          // One client build for every file (see the file's comment).
          globalSetup: ['tests/support/prebuilt-client.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          // A poll waits for what a click did to show, often on another page across the
          // server. Vitest's 1 s is too short with five browsers on two cores (in CI a father's
          // page reached the LKT side room after it; its failure screenshot showed it there).
          // A poll that bounds a reaction time gives its own timeout.
          expect: { poll: { timeout: 30_000 } },
          fileParallelism: false,
        },
      },
    ],
  },
});
