// SPDX-License-Identifier: GPL-2.0-or-later
// Which processes keep a mount busy, from /proc/<pid>: working directory, root, executable, open files and memory
// maps. Attribution goes through the mount table (the mount that really contains a path, by mount id) and, for
// open files, the kernel's own mnt_id: a process in /mnt/data2 is never taken for a user of /mnt/data (heartbeat
// #1944), and a bind mount of / never resolves to the whole node (#1304).
import { devKey, owningMount, type MountEntry } from './mountinfo.js';

/** Read access to /proc, injectable so that the logic is tested on fixtures. Every method returns undefined on error. */
export type ProcView = {
  pids(): Promise<number[]>;
  readlink(path: string): Promise<string | undefined>;
  readFile(path: string): Promise<string | undefined>;
  readdir(path: string): Promise<string[] | undefined>;
  /** `major:minor` of the filesystem holding what path points to (stat, following the link). */
  statDev(path: string): Promise<string | undefined>;
};

export type HolderReason = 'cwd' | 'root' | 'exe' | 'file' | 'mmap';

export type Holder = {
  readonly pid: number;
  readonly reasons: readonly HolderReason[];
  /** The command line, for the log. */
  readonly command: string;
};

export type HolderQuery = {
  /** The current mount table of this namespace. */
  readonly mounts: readonly MountEntry[];
  /** The mounts being unmounted. */
  readonly targets: readonly MountEntry[];
  /** Our own pid and its ancestors are never holders worth killing. */
  readonly exclude: ReadonlySet<number>;
  /**
   * Whether a device number may stand for a target (processes in other mount namespaces, where paths mean
   * something else). False for bind mounts, whose device is shared with the source filesystem.
   */
  readonly matchByDevice: boolean;
  /**
   * The mount namespace (`mnt:[N]`) that `mounts` describes; default ours. Paths of processes in it are resolved
   * against `mounts`; with onlyNamespace, processes elsewhere are not considered at all.
   */
  readonly namespace?: string;
  readonly onlyNamespace?: boolean;
};

/** `/x/y (deleted)` is still the path of a file under the mount. */
export function stripDeleted(path: string): string {
  return path.endsWith(' (deleted)') ? path.slice(0, -' (deleted)'.length) : path;
}

/** The `major:minor` of each file-backed mapping in /proc/<pid>/maps (device in hex) and its path. */
export function parseMaps(text: string): { dev: string; path: string | undefined }[] {
  const out: { dev: string; path: string | undefined }[] = [];
  for (const line of text.split('\n')) {
    // address perms offset dev inode [path]
    const match = /^\S+\s+\S+\s+\S+\s+([0-9a-f]+):([0-9a-f]+)\s+(\d+)\s*(.*)$/i.exec(line);
    if (!match || match[3] === '0') continue;
    const path = match[4]?.trim();
    out.push({ dev: devKey(Number.parseInt(match[1] ?? '0', 16), Number.parseInt(match[2] ?? '0', 16)), path: path ? stripDeleted(path) : undefined });
  }
  return out;
}

/** The mnt_id line of /proc/<pid>/fdinfo/<fd>. */
export function parseFdinfoMountId(text: string): number | undefined {
  const match = /^mnt_id:\s*(\d+)/m.exec(text);
  return match ? Number(match[1]) : undefined;
}

export async function findHolders(view: ProcView, query: HolderQuery): Promise<Holder[]> {
  const targetIds = new Set(query.targets.map((t) => t.id));
  const targetDevs = new Set(query.targets.map((t) => devKey(t.major, t.minor)));
  const tableNs = query.namespace ?? (await view.readlink('/proc/self/ns/mnt'));
  const inTarget = (path: string): boolean => {
    if (!path.startsWith('/')) return false;
    const owner = owningMount(query.mounts, stripDeleted(path));
    return owner !== undefined && targetIds.has(owner.id);
  };

  const holders: Holder[] = [];
  for (const pid of await view.pids()) {
    if (query.exclude.has(pid) || pid <= 1) continue;
    const base = `/proc/${pid}`;
    const ns = await view.readlink(`${base}/ns/mnt`);
    // Paths in another mount namespace name other mounts: fall back to device numbers there.
    const samePaths = ns !== undefined && ns === tableNs;
    if (query.onlyNamespace && !samePaths) continue;
    const reasons = new Set<HolderReason>();

    for (const [link, reason] of [
      ['cwd', 'cwd'],
      ['root', 'root'],
      ['exe', 'exe'],
    ] as const) {
      if (samePaths) {
        const target = await view.readlink(`${base}/${link}`);
        if (target !== undefined && inTarget(target)) reasons.add(reason);
      } else if (query.matchByDevice) {
        const dev = await view.statDev(`${base}/${link}`);
        if (dev !== undefined && targetDevs.has(dev)) reasons.add(reason);
      }
    }

    // Open files: the kernel says which mount each one was opened through.
    for (const fd of (await view.readdir(`${base}/fd`)) ?? []) {
      const link = await view.readlink(`${base}/fd/${fd}`);
      if (link === undefined || !link.startsWith('/')) continue; // sockets, pipes, anon inodes
      const info = await view.readFile(`${base}/fdinfo/${fd}`);
      const mountId = info === undefined ? undefined : parseFdinfoMountId(info);
      if (mountId !== undefined ? targetIds.has(mountId) : samePaths && inTarget(link)) {
        reasons.add('file');
        break;
      }
    }

    const maps = await view.readFile(`${base}/maps`);
    for (const mapping of maps === undefined ? [] : parseMaps(maps)) {
      const hit = samePaths && mapping.path !== undefined ? inTarget(mapping.path) : query.matchByDevice && targetDevs.has(mapping.dev);
      if (hit) {
        reasons.add('mmap');
        break;
      }
    }

    if (reasons.size > 0) {
      const cmdline = await view.readFile(`${base}/cmdline`);
      const command = cmdline?.split('\0').filter(Boolean).join(' ') || `[pid ${pid}]`;
      holders.push({ pid, reasons: [...reasons], command });
    }
  }
  return holders;
}

/** /proc/<pid>/stat state: a zombie holds no file any more. */
export function isZombieStat(stat: string): boolean {
  const close = stat.lastIndexOf(')');
  return close >= 0 && stat.slice(close + 2, close + 3) === 'Z';
}

/** Our ancestors from /proc/<pid>/stat (field 4 after the command). */
export function parentPid(stat: string): number | undefined {
  const close = stat.lastIndexOf(')');
  if (close < 0) return undefined;
  const ppid = Number(stat.slice(close + 2).split(' ')[1]);
  return Number.isInteger(ppid) ? ppid : undefined;
}
