// SPDX-License-Identifier: GPL-2.0-or-later
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ProcView } from '../../../agents/Filesystem/holders.js';

// Compiled to dist/test/agents/Filesystem/: the fixtures stay in the source tree.
const dir = fileURLToPath(new URL('../../../../test/fixtures/Filesystem/', import.meta.url));

export function fixture(name: string): string {
  return readFileSync(`${dir}${name}`, 'utf8');
}

type FakePid = {
  ns?: string;
  cwd?: string;
  root?: string;
  exe?: string;
  cmdline?: string;
  maps?: string;
  fds?: Record<string, { link: string; mnt_id?: number }>;
  statDev?: Record<string, string>;
};

/** A ProcView over a JSON snapshot of /proc (see proc-busy.json). */
export function fakeProc(name: string): ProcView {
  const snap = JSON.parse(fixture(name)) as { self: { ns: string }; pids: Record<string, FakePid> };
  const parse = (p: string): { pid: FakePid | undefined; rest: string[] } => {
    const parts = p.split('/').filter(Boolean); // proc, pid, ...
    return { pid: snap.pids[parts[1] ?? ''], rest: parts.slice(2) };
  };
  return {
    pids: async () => Object.keys(snap.pids).map(Number),
    readlink: async (p) => {
      if (p === '/proc/self/ns/mnt') return snap.self.ns;
      const { pid, rest } = parse(p);
      if (!pid) return undefined;
      if (rest[0] === 'ns' && rest[1] === 'mnt') return pid.ns;
      if (rest[0] === 'fd' && rest[1] !== undefined) return pid.fds?.[rest[1]]?.link;
      if (rest[0] === 'cwd' || rest[0] === 'root' || rest[0] === 'exe') return pid[rest[0]];
      return undefined;
    },
    readFile: async (p) => {
      const { pid, rest } = parse(p);
      if (!pid) return undefined;
      if (rest[0] === 'maps') return pid.maps ?? '';
      if (rest[0] === 'cmdline') return pid.cmdline ?? '';
      if (rest[0] === 'fdinfo' && rest[1] !== undefined) {
        const fd = pid.fds?.[rest[1]];
        return fd === undefined ? undefined : `pos:\t0\nflags:\t02\n${fd.mnt_id === undefined ? '' : `mnt_id:\t${fd.mnt_id}\n`}`;
      }
      return undefined;
    },
    readdir: async (p) => {
      const { pid, rest } = parse(p);
      return pid && rest[0] === 'fd' ? Object.keys(pid.fds ?? {}) : undefined;
    },
    statDev: async (p) => {
      const { pid, rest } = parse(p);
      return rest[0] === undefined ? undefined : pid?.statDev?.[rest[0]];
    },
  };
}
