import { pino, type Logger } from 'pino';
import type { Config } from './config.js';

export type LogFormat = Config['log']['format'];

/**
 * The one logger of a node (Fastify's request log, media, sessions: children of it).
 * Production writes JSON lines for the log collector; a developer at a terminal gets
 * readable lines through pino-pretty, which is loaded only then.
 */
export async function createLogger(
  config: Pick<Config, 'log'>,
  opts: {
    /** Where lines go (tests); standard output by default. */
    destination?: NodeJS.WritableStream;
    /** Decides `auto`; the process's standard output by default. */
    stdout?: { isTTY?: boolean };
  } = {},
): Promise<Logger> {
  const { level } = config.log;
  const stdout = opts.stdout ?? process.stdout;
  if (resolveFormat(config.log.format, stdout) === 'json') {
    return opts.destination ? pino({ level }, opts.destination) : pino({ level });
  }
  const { default: pretty } = await import('pino-pretty');
  return pino(
    { level },
    pretty({
      destination: opts.destination ?? 1,
      colorize: Boolean(stdout.isTTY),
      translateTime: 'SYS:HH:MM:ss.l',
      ignore: 'pid,hostname',
      // Synchronous: lines appear in order with console output, and none is lost at exit.
      sync: true,
    }),
  );
}

/** `auto`: pretty at a terminal outside production, JSON everywhere else. */
export function resolveFormat(
  format: LogFormat,
  stdout: { isTTY?: boolean },
  nodeEnv = process.env.NODE_ENV,
): 'json' | 'pretty' {
  if (format !== 'auto') return format;
  return stdout.isTTY && nodeEnv !== 'production' ? 'pretty' : 'json';
}
