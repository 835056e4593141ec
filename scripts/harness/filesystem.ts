// SPDX-License-Identifier: GPL-2.0-or-later
// What the Filesystem system tests and benchmark share: a scratch directory and its mounts, heartbeat's agent
// made runnable, and processes started as holders of a mount.
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { isWithin, unmountOrder, type MountEntry } from '../../agents/Filesystem/mountinfo.js';
import { readMountTable } from '../../agents/Filesystem/proc.js';
import { isAlive } from '../lab/sys.js';
import { unmountAll } from './loop.js';

export const HEARTBEAT = '/usr/lib/ocf/resource.d/heartbeat/Filesystem';

/**
 * heartbeat's Filesystem refuses every action (5) when modprobe is not installed, as in minimal containers; it
 * only runs it for a type missing from /proc/filesystems. A stand-in that succeeds lets it run here; returns
 * the environment to run heartbeat's agent with.
 */
export async function heartbeatEnv(dir: string): Promise<Record<string, string>> {
  const bin = path.join(dir, 'heartbeat-bin');
  await mkdir(bin, { recursive: true });
  await writeFile(path.join(bin, 'modprobe'), '#!/bin/sh\n# test double: heartbeat only checks that modprobe exists\nexit 0\n');
  await chmod(path.join(bin, 'modprobe'), 0o755);
  return { PATH: `${process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin'}:${bin}` };
}

export async function scratchDir(): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), 'tsha-fs-'));
}

/** Mounts on dir or below it, in mount order. */
export async function mountsUnder(dir: string): Promise<MountEntry[]> {
  return (await readMountTable()).filter((e) => isWithin(e.mountPoint, dir));
}

/** Unmounts everything under dir (deepest first, lazily as a last resort) and removes it. */
export async function removeScratch(dir: string): Promise<void> {
  await unmountAll(unmountOrder(await mountsUnder(dir)).map((m) => m.mountPoint));
  await rm(dir, { recursive: true, force: true });
}

/** A started process, its pid, and a way to stop it in cleanup whatever happened. */
export type Holder = {
  readonly pid: number;
  readonly child: ResultPromise;
  exited(): boolean;
  kill(): Promise<void>;
};

export async function startHolder(file: string, args: readonly string[], options: { cwd?: string; stdinFile?: string } = {}): Promise<Holder> {
  // The file as the process's own stdin descriptor (execa's {file} would pipe the content through us instead);
  // the path is an argument of sh, never part of its script.
  const [cmd, argv] = options.stdinFile ? ['sh', ['-c', 'exec "$0" "$@" < "$STDIN_FILE"', file, ...args]] : [file, [...args]];
  const child = execa(cmd, argv, {
    reject: false,
    cwd: options.cwd ?? '/',
    stdin: 'ignore',
    stdout: 'ignore',
    stderr: 'ignore',
    ...(options.stdinFile ? { env: { STDIN_FILE: options.stdinFile } } : {}),
  });
  let done = false;
  void child.then(() => {
    done = true;
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error(`cannot start ${file}`);
  return {
    pid,
    child,
    exited: () => done || !isAlive(pid),
    kill: async () => {
      if (!done) {
        child.kill('SIGKILL');
        await child;
      }
    },
  };
}
