import { readFile, readdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import type { Plugin } from 'vite';

const brotli = promisify(brotliCompress);
const gz = promisify(gzip);

/** Text the browser downloads; images and fonts are compressed already. */
const COMPRESSIBLE = /\.(js|mjs|css|html|svg|json|webmanifest|txt|xml)$/;
/** Below this, headers cost more than compression saves. */
const MIN_BYTES = 512;

export interface PrecompressedFile {
  file: string;
  bytes: number;
  gzip: number;
  brotli: number;
}

/**
 * Writes `name.br` (brotli, quality 11) and `name.gz` (gzip, level 9) beside every
 * compressible file of the build, once, at build time: the server then sends the smallest
 * the browser accepts (`Content-Encoding`, `Vary: Accept-Encoding`) without compressing
 * per request. A variant that would not be smaller is not written.
 */
export function precompress(): Plugin {
  let outDir = '';
  return {
    name: 'samkons:precompress',
    apply: 'build',
    configResolved(config) {
      outDir = path.resolve(config.root, config.build.outDir);
    },
    async closeBundle() {
      await precompressFolder(outDir);
    },
  };
}

export async function precompressFolder(dir: string): Promise<PrecompressedFile[]> {
  const files = (await readdir(dir, { recursive: true }))
    .filter((f) => COMPRESSIBLE.test(f))
    .map((f) => path.join(dir, f));
  const done: PrecompressedFile[] = [];
  for (const file of files) {
    if ((await stat(file)).size < MIN_BYTES) continue;
    const raw = await readFile(file);
    const [br, gzipped] = await Promise.all([
      brotli(raw, {
        params: {
          [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
          [constants.BROTLI_PARAM_SIZE_HINT]: raw.length,
          [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
        },
      }),
      gz(raw, { level: constants.Z_BEST_COMPRESSION }),
    ]);
    if (br.length < raw.length) await writeFile(`${file}.br`, br);
    if (gzipped.length < raw.length) await writeFile(`${file}.gz`, gzipped);
    done.push({
      file: path.relative(dir, file),
      bytes: raw.length,
      gzip: Math.min(gzipped.length, raw.length),
      brotli: Math.min(br.length, raw.length),
    });
  }
  return done;
}
