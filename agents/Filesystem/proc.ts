// SPDX-License-Identifier: GPL-2.0-or-later
// The live system behind the pure parsers: /proc, stat device numbers.
import { promises as fs } from 'node:fs';
import { parentPid, type ProcView } from './holders.js';
import { devKey, parseMountinfo, type MountEntry } from './mountinfo.js';

/** Linux `dev_t` → `major:minor` (glibc's gnu_dev_major/minor layout). */
export function splitDev(dev: bigint): string {
  const major = ((dev >> 8n) & 0xfffn) | ((dev >> 32n) & ~0xfffn);
  const minor = (dev & 0xffn) | ((dev >> 12n) & ~0xffn);
  return devKey(Number(major), Number(minor));
}

async function maybe<T>(fn: () => Promise<T>): Promise<T | undefined> {
  try {
    return await fn();
  } catch {
    return undefined;
  }
}

export const liveProc: ProcView = {
  pids: async () =>
    ((await maybe(() => fs.readdir('/proc'))) ?? [])
      .filter((name) => /^\d+$/.test(name))
      .map(Number),
  readlink: (path) => maybe(() => fs.readlink(path)),
  readFile: (path) => maybe(() => fs.readFile(path, 'utf8')),
  readdir: (path) => maybe(() => fs.readdir(path)),
  statDev: async (path) => {
    const st = await maybe(() => fs.stat(path, { bigint: true }));
    return st === undefined ? undefined : splitDev(st.dev);
  },
};

/**
 * A mountinfo file (this process's by default), read until two reads agree: a table that changes while it is
 * read can come out torn and a mount seem to vanish (heartbeat PR #1337).
 */
async function readMountinfoText(file = '/proc/self/mountinfo'): Promise<string> {
  let previous = await fs.readFile(file, 'utf8');
  for (let i = 0; i < 5; i++) {
    const next = await fs.readFile(file, 'utf8');
    if (next === previous) return next;
    previous = next;
  }
  return previous;
}

/** A mount table (this process's by default), read torn-read safe and parsed. */
export async function readMountTable(file = '/proc/self/mountinfo'): Promise<MountEntry[]> {
  return parseMountinfo(await readMountinfoText(file));
}

/** This process and its ancestors: never holders to signal. */
export async function selfAndAncestors(): Promise<Set<number>> {
  const out = new Set<number>([process.pid]);
  let pid = process.ppid;
  while (pid > 1 && !out.has(pid)) {
    out.add(pid);
    const stat = await maybe(() => fs.readFile(`/proc/${pid}/stat`, 'utf8'));
    const parent = stat === undefined ? undefined : parentPid(stat);
    if (parent === undefined) break;
    pid = parent;
  }
  return out;
}
