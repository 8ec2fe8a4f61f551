import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'vite';

const clientRoot = fileURLToPath(new URL('../../client/', import.meta.url));
const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

/** One JavaScript chunk of a client build, as Rollup wrote it. */
export interface BuiltChunk {
  /** Path inside the build folder, e.g. assets/PrejoinPage-abc123.js. */
  file: string;
  isEntry: boolean;
  isDynamicEntry: boolean;
  /** The module the chunk stands for (a page), relative to the repository. */
  facadeModule: string | null;
  /** Chunks loaded with this one before it runs (static imports). */
  imports: string[];
  /** Chunks it may load later (import()). */
  dynamicImports: string[];
  /** CSS files loaded with it. */
  css: string[];
  /** Every module inside, relative to the repository (node_modules/... for packages). */
  modules: string[];
}

export interface ProductionBuild {
  outDir: string;
  chunks: Map<string, BuiltChunk>;
  close(): Promise<void>;
}

/**
 * Builds the client the way `npm run build` does (production, no test hooks, vite.config.ts
 * with its plugins) into a temporary folder, and records which modules went into which chunk.
 */
export async function buildProductionClient(): Promise<ProductionBuild> {
  const outDir = await mkdtemp(path.join(tmpdir(), 'samkons-client-prod-'));
  const chunks = new Map<string, BuiltChunk>();
  const record: Plugin = {
    name: 'samkons:test-record-chunks',
    // The bundle as written: Vite drops CSS-only chunks late in generateBundle.
    writeBundle(_options, bundle) {
      for (const out of Object.values(bundle)) {
        if (out.type !== 'chunk') continue;
        chunks.set(out.fileName, {
          file: out.fileName,
          isEntry: out.isEntry,
          isDynamicEntry: out.isDynamicEntry,
          facadeModule: out.facadeModuleId ? relative(out.facadeModuleId) : null,
          imports: out.imports,
          dynamicImports: out.dynamicImports,
          css: [...(out.viteMetadata?.importedCss ?? [])],
          modules: Object.keys(out.modules).map(relative),
        });
      }
    },
  };
  // Vitest sets NODE_ENV=test; the browser must get what users get (production React).
  const nodeEnv = process.env.NODE_ENV;
  const hooks = process.env.VITE_SAMKONS_TEST_HOOKS;
  process.env.NODE_ENV = 'production';
  delete process.env.VITE_SAMKONS_TEST_HOOKS;
  try {
    await build({
      root: clientRoot,
      configFile: path.join(clientRoot, 'vite.config.ts'),
      logLevel: 'warn',
      // Source maps as in production: hidden, and moved beside the folder by the config.
      build: { outDir, emptyOutDir: true },
      plugins: [record],
    });
  } finally {
    restore('NODE_ENV', nodeEnv);
    restore('VITE_SAMKONS_TEST_HOOKS', hooks);
  }
  return {
    outDir,
    chunks,
    async close() {
      await rm(outDir, { recursive: true, force: true });
      await rm(`${outDir}-sourcemaps`, { recursive: true, force: true });
    },
  };
}

function restore(name: string, value: string | undefined): void {
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
}

function relative(moduleId: string): string {
  const clean = moduleId.replace(/^\0/, '').replace(/\?.*$/, '');
  const nm = clean.lastIndexOf('/node_modules/');
  if (nm >= 0) return clean.slice(nm + 1);
  return path.isAbsolute(clean) ? path.relative(repoRoot, clean) : clean;
}

/** The chunks `roots` need before they run: themselves and their static imports, transitively. */
export function staticClosure(chunks: Map<string, BuiltChunk>, roots: string[]): BuiltChunk[] {
  const seen = new Map<string, BuiltChunk>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    const chunk = chunks.get(file);
    if (!chunk) throw new Error(`no chunk ${file} in the build`);
    seen.set(file, chunk);
    chunk.imports.forEach(visit);
  };
  roots.forEach(visit);
  return [...seen.values()];
}

/** The app's entry chunk (index.html's script). */
export function entryChunk(chunks: Map<string, BuiltChunk>): BuiltChunk {
  const entries = [...chunks.values()].filter((c) => c.isEntry);
  if (entries.length !== 1) throw new Error(`expected one entry chunk, found ${entries.length}`);
  return entries[0]!;
}

/** The lazy chunk of the page module at `source` (e.g. client/src/features/prejoin/PrejoinPage.tsx). */
export function pageChunk(chunks: Map<string, BuiltChunk>, source: string): BuiltChunk {
  const chunk = [...chunks.values()].find((c) => c.isDynamicEntry && c.facadeModule === source);
  if (!chunk) throw new Error(`${source} is not a lazily loaded chunk of its own`);
  return chunk;
}

/**
 * What a browser must download before the page at `pageSource` can render on a first
 * visit: the entry and its imports, then the page's chunk and its imports.
 */
export function firstLoadChunks(chunks: Map<string, BuiltChunk>, pageSource: string): BuiltChunk[] {
  const entry = entryChunk(chunks);
  return staticClosure(chunks, [entry.file, pageChunk(chunks, pageSource).file]);
}

export interface Sizes {
  raw: number;
  gzip: number;
  brotli: number;
}

/** Bytes on the wire for `file` with each encoding: the pre-compressed variant when there is one. */
export async function compressedSizes(outDir: string, file: string): Promise<Sizes> {
  const full = path.join(outDir, file);
  const raw = (await stat(full)).size;
  const variant = async (ext: string) => {
    try {
      return (await stat(`${full}${ext}`)).size;
    } catch {
      return raw; // not written when it would not be smaller
    }
  };
  return { raw, gzip: await variant('.gz'), brotli: await variant('.br') };
}

export async function totalSizes(outDir: string, files: string[]): Promise<Sizes> {
  const sizes = await Promise.all(files.map((f) => compressedSizes(outDir, f)));
  return sizes.reduce(
    (sum, s) => ({ raw: sum.raw + s.raw, gzip: sum.gzip + s.gzip, brotli: sum.brotli + s.brotli }),
    { raw: 0, gzip: 0, brotli: 0 },
  );
}

/** The scripts index.html loads at once (entry and modulepreload links). */
export async function indexHtmlScripts(outDir: string): Promise<string[]> {
  const html = await readFile(path.join(outDir, 'index.html'), 'utf8');
  return [...html.matchAll(/(?:src|href)="\/([^"]+\.js)"/g)].map((m) => m[1]!);
}

/** The patient's pre-join page, the budgeted first load. */
export const PREJOIN_PAGE = 'client/src/features/prejoin/PrejoinPage.tsx';
/** Patient's JavaScript before the pre-join shows, compressed (issue 12). */
export const PREJOIN_BUDGET_BYTES = 200_000;
