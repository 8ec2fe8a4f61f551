// First: mediasoup's workers must die with this process (read before mediasoup loads).
import './sfu/worker-guard.js';
import { loadConfig } from './config.js';
import { publicUrlOf } from './booking/services.js';
import { demoLoginHelp } from './demo/seed.js';
import { startSamkons } from './samkons.js';
import { collectStartupGarbage } from './memory/startup-garbage.js';

/** The process around one node: configuration from the environment, signals, exit. */
async function main(): Promise<void> {
  const config = loadConfig();
  let gcMs: number | undefined;
  const node = await startSamkons(config, {
    // What starting left behind goes now, not never (an idle node does not collect), and
    // before listening: the collection blocks the loop for a second or two under load, which
    // after a restart is when every client of the node reconnects at once.
    beforeListen: async () => {
      gcMs = await collectStartupGarbage();
    },
  });
  node.app.log.info(
    { driver: node.domain?.db.driver, demoDataSeeded: node.demoDataSeeded, url: node.url },
    'samkons started',
  );
  if (config.demoData) console.log(demoLoginHelp(publicUrlOf(config)));
  node.app.log.debug({ gcMs }, 'startup garbage collected');

  const exit = (work: Promise<void>) =>
    void work.then(
      () => process.exit(0),
      (err: unknown) => {
        node.app.log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  // SIGTERM (an orchestrator's stop): drain, so open calls go on a while and clients
  // reconnect by themselves afterwards. A second SIGTERM, or SIGINT, closes at once.
  process.once('SIGTERM', () => {
    node.app.log.info({ signal: 'SIGTERM' }, 'draining before shutdown');
    exit(node.drain(config.shutdown.drainSeconds * 1000));
    process.once('SIGTERM', () => exit(node.close()));
  });
  process.once('SIGINT', () => {
    node.app.log.info({ signal: 'SIGINT' }, 'shutting down');
    exit(node.close());
  });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
