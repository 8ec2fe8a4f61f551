import { mkdir, readdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Plugin } from 'vite';

/** Where a build's source maps go: beside the served folder, never inside it. */
export const sourceMapDirOf = (outDir: string): string => `${outDir}-sourcemaps`;

/**
 * Source maps are built `hidden` (no `sourceMappingURL` in the served code) and moved out
 * of the served folder, so the original sources are never public, while a stack trace a
 * user or support reports from this build can still be decoded with its maps. The
 * Docker image copies only the served folder.
 */
export function privateSourceMaps(): Plugin {
  let outDir = '';
  let enabled = false;
  return {
    name: 'samkons:private-source-maps',
    apply: 'build',
    configResolved(config) {
      outDir = path.resolve(config.root, config.build.outDir);
      enabled = Boolean(config.build.sourcemap);
      if (enabled && config.build.sourcemap !== 'hidden') {
        throw new Error('build.sourcemap must be "hidden" (or false): maps are never served');
      }
    },
    async closeBundle() {
      if (!enabled) return;
      const mapsDir = sourceMapDirOf(outDir);
      await rm(mapsDir, { recursive: true, force: true });
      const maps = (await readdir(outDir, { recursive: true })).filter((f) => f.endsWith('.map'));
      for (const map of maps) {
        const target = path.join(mapsDir, map);
        await mkdir(path.dirname(target), { recursive: true });
        await rename(path.join(outDir, map), target);
      }
    },
  };
}
