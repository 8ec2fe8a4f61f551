/**
 * Keeps the rest of the machine off the server's core while the comparison runs.
 *
 * Pinning the server to one core does not keep others off it: anything else that runs there
 * (a test run, a browser, an idle service's timers) takes the worker's caches and time
 * slices, and the worker then spends more CPU per packet. On the shared 2-core machine that
 * was most of the spread between runs of the same worker binary (0.8-1.3x): the runs whose
 * server core was busiest with other processes were the costly ones. So every other user
 * process is narrowed to the remaining cores for the run (`taskset -a -p`, every thread),
 * and put back afterwards, with what was started meanwhile by a narrowed parent.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';

const read = (path: string): string | undefined => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
};

/** The CPU list a process may run on (`Cpus_allowed_list`, e.g. "0-1"). */
function allowedList(pid: number): string | undefined {
  return /^Cpus_allowed_list:\s*(\S+)$/m.exec(read(`/proc/${pid}/status`) ?? '')?.[1];
}

/** User processes: kernel threads have no command line and cannot be moved. */
function userPids(): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(Number)
    .filter((pid) => (read(`/proc/${pid}/cmdline`) ?? '').length > 0);
}

function setAffinity(pid: number, cpus: string): boolean {
  try {
    execFileSync('taskset', ['-a', '-p', '-c', cpus, String(pid)], { stdio: 'ignore' });
    return true;
  } catch {
    // Gone meanwhile, or not ours to move.
    return false;
  }
}

export interface Isolation {
  /** How many processes were moved off the core. */
  moved: number;
  restore(): void;
}

/**
 * Moves every user process but those the caller pins itself off `core`, onto `others`
 * (e.g. "1"). Processes the run starts afterwards are pinned by their own `taskset`.
 */
export function isolateCore(core: number, others: string): Isolation {
  const all = read('/sys/devices/system/cpu/online')?.trim() ?? `${core},${others}`;
  const before = new Map<number, string>();
  for (const pid of userPids()) {
    const list = allowedList(pid);
    if (list === undefined || list === others) continue;
    if (setAffinity(pid, others)) before.set(pid, list);
  }
  return {
    moved: before.size,
    restore() {
      for (const [pid, list] of before) setAffinity(pid, list);
      // Started meanwhile by a moved parent: narrowed by inheritance, given the machine back.
      for (const pid of userPids()) {
        if (!before.has(pid) && allowedList(pid) === others) setAffinity(pid, all);
      }
    },
  };
}
