import {
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  rmdirSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';

/*
 * A computer too busy for its browser: processes held to a share of one CPU by the kernel's
 * CFS bandwidth control (cgroup v1 `cpu`, or v2 `cpu.max`). In each period they run for their
 * share of it and then wait for the next, so a browser stalls as an overloaded surgery PC's
 * does: timers late, packets read in bursts, frames decoded late or not at all. Needs root.
 */

const V1 = '/sys/fs/cgroup/cpu';
const V2 = '/sys/fs/cgroup';

type Flavour = { kind: 'v1'; root: string } | { kind: 'v2'; root: string };

function flavour(): Flavour | undefined {
  if (existsSync(path.join(V1, 'cpu.cfs_quota_us'))) return { kind: 'v1', root: V1 };
  const controllers = path.join(V2, 'cgroup.controllers');
  if (existsSync(controllers) && readFileSync(controllers, 'utf8').split(/\s+/).includes('cpu')) {
    return { kind: 'v2', root: V2 };
  }
  return undefined;
}

export function cpuStarveAvailable(): { ok: true } | { ok: false; reason: string } {
  if (process.getuid?.() !== 0) return { ok: false, reason: 'needs root' };
  return flavour()
    ? { ok: true }
    : { ok: false, reason: 'no cgroup cpu controller (v1 cpu or v2 cpu.max)' };
}

export interface Starved {
  /** Lets the processes run freely again; how long the kernel held them back meanwhile. */
  release(): { throttledMs: number; periods: number; throttledPeriods: number };
}

let made = 0;
const GROUP = /^samkons-starve-(\d+)-\d+$/;

/**
 * Takes down the groups of runs that ended without releasing theirs (a bench killed with
 * SIGKILL): their pid is gone. Whatever they still hold runs freely again.
 */
export function sweepStarvedGroups(): string[] {
  const f = flavour();
  if (!f) return [];
  const swept = [];
  for (const name of readdirSync(f.root)) {
    const pid = GROUP.exec(name)?.[1];
    if (!pid || existsSync(`/proc/${pid}`)) continue;
    dismantle(f, path.join(f.root, name));
    swept.push(name);
  }
  return swept;
}

/**
 * Lifts a group's quota first (whatever fails after, its processes run freely again), moves
 * them back to the root and removes the group; what the kernel counted, read before.
 */
function dismantle(f: Flavour, dir: string): Record<string, string> {
  if (f.kind === 'v1') writeFileSync(path.join(dir, 'cpu.cfs_quota_us'), '-1');
  else writeFileSync(path.join(dir, 'cpu.max'), 'max');
  const stat = Object.fromEntries(
    readFileSync(path.join(dir, 'cpu.stat'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => l.split(' ') as [string, string]),
  );
  for (const pid of readFileSync(path.join(dir, 'cgroup.procs'), 'utf8').split('\n')) {
    if (pid) tryWrite(path.join(f.root, 'cgroup.procs'), pid);
  }
  rmdirSync(dir);
  return stat;
}

/** Holds `pids` to `share` (0..1) of one CPU in periods of `periodMs`, until released. */
export function starveProcesses(
  pids: readonly number[],
  { share, periodMs }: { share: number; periodMs: number },
): Starved {
  if (!(share > 0 && share <= 1)) throw new RangeError(`share ${share}: not in (0, 1]`);
  // The kernel's bounds on a period: 1 ms to 1 s.
  if (!(periodMs >= 1 && periodMs <= 1000)) {
    throw new RangeError(`period ${periodMs} ms: not within 1-1000 ms`);
  }
  const f = flavour();
  if (!f) throw new Error('cpu starvation unavailable: no cgroup cpu controller');
  // v2: the root's children get the cpu controller only once the root hands it down.
  if (f.kind === 'v2') tryWrite(path.join(f.root, 'cgroup.subtree_control'), '+cpu');
  sweepStarvedGroups();
  const dir = path.join(f.root, `samkons-starve-${process.pid}-${made++}`);
  mkdirSync(dir);
  const periodUs = Math.round(periodMs * 1000);
  const quotaUs = Math.max(1000, Math.round(periodUs * share));
  try {
    if (f.kind === 'v1') {
      writeFileSync(path.join(dir, 'cpu.cfs_period_us'), String(periodUs));
      writeFileSync(path.join(dir, 'cpu.cfs_quota_us'), String(quotaUs));
    } else {
      writeFileSync(path.join(dir, 'cpu.max'), `${quotaUs} ${periodUs}`);
    }
    // A process gone meanwhile (a renderer closed) is no error.
    for (const pid of pids) tryWrite(path.join(dir, 'cgroup.procs'), String(pid));
  } catch (err) {
    rmdirSync(dir);
    throw err;
  }
  return {
    release() {
      const stat = dismantle(f, dir);
      return {
        throttledMs: Math.round(
          f.kind === 'v1'
            ? Number(stat.throttled_time ?? 0) / 1e6
            : Number(stat.throttled_usec ?? 0) / 1e3,
        ),
        periods: Number(stat.nr_periods ?? 0),
        throttledPeriods: Number(stat.nr_throttled ?? 0),
      };
    },
  };
}

/**
 * The fields of `/proc/<pid>/stat` after the command's name, from the state on (so `[1]` is
 * the parent's pid, `[11]` and `[12]` the user and system time in clock ticks). The name, in
 * parentheses, may hold spaces and parentheses itself.
 */
export function procStat(pid: number): string[] {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/** Writes, or not: a process gone meanwhile, a controller handed down already. */
function tryWrite(file: string, value: string): void {
  try {
    writeFileSync(file, value);
  } catch {
    // Nothing to do.
  }
}

/**
 * The processes of the browsers this process started (its descendants whose executable is
 * `executable`) that share its network namespace: those started inside a rig's namespace
 * (`ip netns exec`) are left out.
 */
export function browserProcessesHere(executable: string): number[] {
  const parents = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    try {
      parents.set(pid, Number(procStat(pid)[1]));
    } catch {
      // Gone meanwhile.
    }
  }
  const descends = (pid: number): boolean => {
    for (let p = parents.get(pid); p !== undefined && p > 1; p = parents.get(p)) {
      if (p === process.pid) return true;
    }
    return false;
  };
  const ownNet = readlinkSync('/proc/self/ns/net');
  const name = path.basename(executable);
  return [...parents.keys()].filter((pid) => {
    if (!descends(pid)) return false;
    try {
      const exe = path.basename(readlinkSync(`/proc/${pid}/exe`));
      return exe === name && readlinkSync(`/proc/${pid}/ns/net`) === ownNet;
    } catch {
      return false;
    }
  });
}
