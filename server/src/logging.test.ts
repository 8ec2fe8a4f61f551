import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';
import type { Logger } from 'pino';
import { createLogger, resolveFormat } from './logging.js';

describe('log format', () => {
  it('is readable at a terminal in development and JSON everywhere else', () => {
    expect(resolveFormat('auto', { isTTY: true }, 'development')).toBe('pretty');
    expect(resolveFormat('auto', { isTTY: true }, undefined)).toBe('pretty');
    expect(resolveFormat('auto', { isTTY: true }, 'production')).toBe('json');
    expect(resolveFormat('auto', { isTTY: false }, 'development')).toBe('json');
    expect(resolveFormat('auto', {}, undefined)).toBe('json');
    expect(resolveFormat('pretty', { isTTY: false }, 'production')).toBe('pretty');
    expect(resolveFormat('json', { isTTY: true }, 'development')).toBe('json');
  });

  it('LOG_FORMAT is validated', () => {
    expect(loadConfig({}).log).toEqual({ level: 'info', format: 'auto' });
    expect(loadConfig({ LOG_FORMAT: 'pretty', LOG_LEVEL: 'debug' }).log).toEqual({
      level: 'debug',
      format: 'pretty',
    });
    expect(() => loadConfig({ LOG_FORMAT: 'xml' })).toThrow(/LOG_FORMAT/);
  });

  it('pretty lines carry the level, message and fields, not a JSON object', async () => {
    const lines = await capture(
      (destination) =>
        createLogger(loadConfig({ LOG_FORMAT: 'pretty' }), { destination, stdout: {} }),
      (log) => log.child({ module: 'rooms' }).info({ peers: 3 }, 'peer joined'),
    );
    expect(lines).toMatch(/INFO.*peer joined/);
    expect(lines).toMatch(/module: "rooms"/);
    expect(lines).toMatch(/peers: 3/);
    expect(() => JSON.parse(lines.trim().split('\n')[0]!)).toThrow();
  });

  it('JSON lines stay JSON', async () => {
    const lines = await capture(
      (destination) =>
        createLogger(loadConfig({ LOG_FORMAT: 'json' }), { destination, stdout: { isTTY: true } }),
      (log) => log.info({ peers: 3 }, 'peer joined'),
    );
    expect(JSON.parse(lines.trim())).toMatchObject({ level: 30, msg: 'peer joined', peers: 3 });
  });
});

/** The lines a logger made by `make` writes while `fn` runs. */
async function capture(
  make: (destination: NodeJS.WritableStream) => Promise<Logger>,
  fn: (log: Logger) => void,
): Promise<string> {
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer | string, _enc, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  fn(await make(destination));
  await new Promise((resolve) => setImmediate(resolve));
  return chunks.join('');
}
