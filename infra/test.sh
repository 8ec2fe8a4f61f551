#!/usr/bin/env bash
# Runs every check: format, lint, type-check, unit, integration (real mediasoup worker,
# PGlite and, where reachable, PostgreSQL and Redis) and end-to-end tests in Chromium.
# Run `bash infra/setup.sh --test` first (the README's test command does both).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
log() { printf '\n[test] %s\n' "$*" >&2; }

# Server-backed tests run where a server answers; say which ran.
probe() { node -e "require('net').connect($2,'127.0.0.1').on('connect',()=>process.exit(0)).on('error',()=>process.exit(1))" 2>/dev/null; }
if [ -z "${SAMKONS_TEST_PG_URL:-}" ] && probe pg 5432; then export SAMKONS_TEST_PG_URL=postgres://postgres@127.0.0.1:5432/test; fi
if [ -z "${SAMKONS_TEST_REDIS_URL:-}" ] && probe redis 6379; then export SAMKONS_TEST_REDIS_URL=redis://127.0.0.1:6379; fi
log "PostgreSQL server tests: ${SAMKONS_TEST_PG_URL:-not reachable, PGlite only}"
log "Redis tests: ${SAMKONS_TEST_REDIS_URL:-not reachable, single node only}"

log "format and lint"
npx prettier --check . --log-level warn
npx eslint .
log "type-check"
npm run typecheck --silent
# The type-check built server/dist (tsc -b): test servers run it as `npm start` does, about a
# second sooner per start than through tsx (tests/support/server-process.ts).
export SAMKONS_TEST_SERVER_ENTRY=dist
log "the empty embedded database"
# Every test server and test file on `memory://` loads one empty PGlite database, kept in the
# cache folder beside the worker build (server/src/db/pglite-driver.ts): made here once, not by
# several test workers at once on a fresh machine.
node -e "import('./server/dist/db/pglite-driver.js').then((m) => m.openPglite('memory://')).then((db) => db.close())"
log "unit, integration and end-to-end tests"
summary=test-results/vitest.json
rm -f "$summary"
rc=0
npx vitest run --reporter=default --reporter=json --outputFile.json="$summary" || rc=$?
# A plain closing line any CI can read, whatever the reporter above printed.
if [ -f "$summary" ]; then
  # A file that fails to load has no failed test but is a failed suite: count it too.
  node -e "const r=require('./$summary'); const failed=r.numFailedTests || (r.success ? 0 : Math.max(1, r.numFailedTestSuites)); console.log(r.numPassedTests + ' passed, ' + failed + ' failed')"
fi
exit "$rc"
