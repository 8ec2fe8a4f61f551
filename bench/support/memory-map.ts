import { readFile } from 'node:fs/promises';

/** Resident memory of one process by kind of mapping, in MB (Linux /proc/PID/smaps). */
export interface MemoryMap {
  /** Mapped files: the node binary and shared libraries (shared with other processes). */
  filesMb: number;
  /**
   * WebAssembly memories: a read-write anonymous mapping directly followed by V8's guard
   * reservation (inaccessible, over 4 GB). In the server that is PGlite's PostgreSQL.
   */
  wasmMemoryMb: number;
  /** glibc's main heap (`[heap]`). */
  mallocHeapMb: number;
  /**
   * glibc's other malloc arenas (at most MALLOC_ARENA_MAX, by default 8 per core, one per
   * thread that mallocs at once): 64 MB-aligned heaps, the unused rest inaccessible.
   */
  mallocArenasMb: number;
  /** Every other anonymous mapping: V8's heap pages, compiled code, large mallocs. */
  otherAnonMb: number;
  totalMb: number;
}

interface Mapping {
  start: number;
  end: number;
  perms: string;
  name: string;
  rssKb: number;
}

function parseSmaps(text: string): Mapping[] {
  const maps: Mapping[] = [];
  for (const line of text.split('\n')) {
    const head = /^([0-9a-f]+)-([0-9a-f]+) (\S+) \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (head) {
      maps.push({
        start: parseInt(head[1]!, 16),
        end: parseInt(head[2]!, 16),
        perms: head[3]!,
        name: head[4]!,
        rssKb: 0,
      });
    } else if (line.startsWith('Rss:') && maps.length > 0) {
      maps[maps.length - 1]!.rssKb = Number(line.split(/\s+/)[1]);
    }
  }
  return maps;
}

const GUARD_BYTES = 4 * 2 ** 30;
const ARENA_BYTES = 64 * 2 ** 20;
const mb = (kb: number) => Math.round(kb / 102.4) / 10;

export async function memoryMap(pid: number): Promise<MemoryMap | undefined> {
  const text = await readFile(`/proc/${pid}/smaps`, 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  const maps = parseSmaps(text);
  const kb = { files: 0, wasm: 0, heap: 0, arenas: 0, other: 0 };
  maps.forEach((m, i) => {
    const next = maps[i + 1];
    if (m.name.startsWith('/')) kb.files += m.rssKb;
    else if (m.name === '[heap]') kb.heap += m.rssKb;
    else if (
      m.name === '' &&
      m.perms === 'rw-p' &&
      next?.start === m.end &&
      next.perms === '---p' &&
      next.end - next.start > GUARD_BYTES
    )
      kb.wasm += m.rssKb;
    else if (
      m.name === '' &&
      m.perms === 'rw-p' &&
      m.start % ARENA_BYTES === 0 &&
      (m.end - m.start === ARENA_BYTES ||
        (next?.start === m.end && next.perms === '---p' && next.end - m.start === ARENA_BYTES))
    )
      kb.arenas += m.rssKb;
    else kb.other += m.rssKb;
  });
  return {
    filesMb: mb(kb.files),
    wasmMemoryMb: mb(kb.wasm),
    mallocHeapMb: mb(kb.heap),
    mallocArenasMb: mb(kb.arenas),
    otherAnonMb: mb(kb.other),
    totalMb: mb(kb.files + kb.wasm + kb.heap + kb.arenas + kb.other),
  };
}
