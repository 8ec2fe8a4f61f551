import { loadConfig } from './config.js';
import { publicUrlOf } from './booking/services.js';
import { demoLoginHelp } from './demo/seed.js';
import { startSamkons } from './samkons.js';

/** The process around one node: configuration from the environment, signals, exit. */
async function main(): Promise<void> {
  const config = loadConfig();
  const node = await startSamkons(config);
  node.app.log.info(
    { driver: node.domain?.db.driver, demoDataSeeded: node.demoDataSeeded, url: node.url },
    'samkons started',
  );
  if (config.demoData) console.log(demoLoginHelp(publicUrlOf(config)));

  const shutdown = async (signal: string) => {
    node.app.log.info({ signal }, 'shutting down');
    await node.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
