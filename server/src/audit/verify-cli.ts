#!/usr/bin/env node
/**
 * Verifies the audit hash chain of the configured database (DATABASE_URL or
 * PGLITE_DATA_DIR) and names the first broken row. Exit code 0 = intact, 1 = broken.
 * Usage: npm run audit:verify -w server
 */
import { loadConfig } from '../config.js';
import { openDatabase } from '../db/index.js';
import { verifyAuditChain } from './audit-log.js';

// `npm run -w server` runs in server/; resolve a relative PGLITE_DATA_DIR from where the
// command was typed, as `npm start` does.
if (process.env.INIT_CWD) process.chdir(process.env.INIT_CWD);
const config = loadConfig();
const db = await openDatabase(config);
try {
  const verdict = await verifyAuditChain(db);
  if (verdict.ok) {
    console.log(`audit chain intact: ${verdict.rows} rows verified (${db.driver})`);
  } else {
    console.error(`audit chain BROKEN at row seq=${verdict.brokenSeq}: ${verdict.reason}`);
    console.error(`${verdict.rows} rows before it verified (${db.driver})`);
    process.exitCode = 1;
  }
} finally {
  await db.close();
}
