/**
 * What the kernel knows about the processes of a run (Linux /proc): CPU time, resident
 * memory, the UDP sockets a process holds and what the kernel dropped on them.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';

const CLOCK_TICKS_PER_SECOND = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

const read = (path: string): string | undefined => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
};

/** User + system CPU time of a process (all its threads) in ms; undefined once it is gone. */
export function cpuMs(pid: number, statPath = `/proc/${pid}/stat`): number | undefined {
  const stat = read(statPath);
  if (!stat) return undefined;
  // Fields after the command name, which may contain spaces: state is field 3, utime 14.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return (ticks * 1000) / CLOCK_TICKS_PER_SECOND;
}

/**
 * CPU time per thread name of a process, in ms (threads of the same name summed): where in a
 * Node process the time goes (main thread, libuv pool, V8 helpers, inspector).
 */
export function threadCpuMs(pid: number): Record<string, number> {
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return {};
  }
  const byName: Record<string, number> = {};
  for (const tid of tasks) {
    const name =
      tid === String(pid) ? 'main' : (read(`/proc/${pid}/task/${tid}/comm`)?.trim() ?? '?');
    const ms = cpuMs(Number(tid), `/proc/${pid}/task/${tid}/stat`);
    if (ms !== undefined) byName[name] = (byName[name] ?? 0) + ms;
  }
  return byName;
}

export function rssKb(pid: number): number | undefined {
  const match = /^VmRSS:\s+(\d+) kB/m.exec(read(`/proc/${pid}/status`) ?? '');
  return match ? Number(match[1]) : undefined;
}

/** Direct children of a process (e.g. the mediasoup workers of a server). */
export function childPids(pid: number): number[] {
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
  return tasks.flatMap((tid) =>
    (read(`/proc/${pid}/task/${tid}/children`) ?? '')
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number),
  );
}

/** The command name of a process (at most 15 characters, as the kernel keeps it). */
export function commandName(pid: number): string | undefined {
  return read(`/proc/${pid}/comm`)?.trim();
}

/** Inodes of the sockets a process holds open. */
export function socketInodes(pid: number): Set<number> {
  const inodes = new Set<number>();
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return inodes;
  }
  for (const fd of fds) {
    try {
      const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (match) inodes.add(Number(match[1]));
    } catch {
      // Closed between the listing and the read.
    }
  }
  return inodes;
}

export interface UdpSocket {
  inode: number;
  localPort: number;
  /** Bytes waiting in the receive queue. */
  rxQueue: number;
  /** Datagrams the kernel dropped on this socket (receive buffer full, mostly). */
  drops: number;
}

/** Every UDP socket of this network namespace, by inode (/proc/net/udp and udp6). */
export function udpSockets(): Map<number, UdpSocket> {
  const sockets = new Map<number, UdpSocket>();
  for (const file of ['/proc/net/udp', '/proc/net/udp6']) {
    const lines = (read(file) ?? '').trim().split('\n').slice(1);
    for (const line of lines) {
      const f = line.trim().split(/\s+/);
      // sl local rem st tx:rx tr:when retrnsmt uid timeout inode ref pointer drops
      const inode = Number(f[9]);
      sockets.set(inode, {
        inode,
        localPort: parseInt(f[1]?.split(':')[1] ?? '0', 16),
        rxQueue: parseInt(f[4]?.split(':')[1] ?? '0', 16),
        drops: Number(f[12] ?? 0),
      });
    }
  }
  return sockets;
}

/** UDP drops on the sockets of these processes: total and per local port. */
export function udpDropsOf(pids: number[]): { total: number; byPort: Record<number, number> } {
  const all = udpSockets();
  const byPort: Record<number, number> = {};
  let total = 0;
  for (const pid of pids) {
    for (const inode of socketInodes(pid)) {
      const s = all.get(inode);
      if (!s) continue;
      byPort[s.localPort] = (byPort[s.localPort] ?? 0) + s.drops;
      total += s.drops;
    }
  }
  return { total, byPort };
}

/** The machine-wide UDP counters (/proc/net/snmp), e.g. RcvbufErrors, InErrors. */
export function snmpUdp(): Record<string, number> {
  const lines = (read('/proc/net/snmp') ?? '').split('\n').filter((l) => l.startsWith('Udp:'));
  const [names, values] = lines.map((l) => l.split(/\s+/).slice(1));
  const out: Record<string, number> = {};
  names?.forEach((name, i) => (out[name] = Number(values?.[i] ?? 0)));
  return out;
}

/** Busy and total jiffies per CPU (/proc/stat), to say how loaded the machine was. */
export function cpuTimes(): { cpu: string; busy: number; total: number }[] {
  return (read('/proc/stat') ?? '')
    .split('\n')
    .filter((l) => /^cpu\d+ /.test(l))
    .map((l) => {
      const [cpu, ...v] = l.split(/\s+/);
      const n = v.map(Number);
      const idle = (n[3] ?? 0) + (n[4] ?? 0);
      const total = n.slice(0, 8).reduce((a, b) => a + b, 0);
      return { cpu: cpu!, busy: total - idle, total };
    });
}

export function loadAverage(): number[] {
  return (read('/proc/loadavg') ?? '0 0 0').split(' ').slice(0, 3).map(Number);
}
