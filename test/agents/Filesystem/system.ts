// SPDX-License-Identifier: GPL-2.0-or-later
// Shared pieces of the Filesystem system tests: a scratch directory, the agents (ours and heartbeat's), the
// mount table, and processes started as holders of a mount.
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { execa, type ResultPromise } from 'execa';
import { runAgent, type AgentRun, type AgentRunOptions } from '../../helpers/agent.js';
import { isAlive, poll } from '../../../scripts/lab/sys.js';
import { unmountAll } from '../../helpers/loop.js';
import { parseMountinfo, type MountEntry } from '../../../agents/Filesystem/mountinfo.js';

export const HEARTBEAT = '/usr/lib/ocf/resource.d/heartbeat/Filesystem';

export function fsAgent(action: string, params: Record<string, string>, options: Omit<AgentRunOptions, 'params'> = {}): Promise<AgentRun> {
  return runAgent('Filesystem', action, { instance: 'fs-test', ...options, params });
}

export function heartbeat(action: string, params: Record<string, string>, options: Omit<AgentRunOptions, 'params'> = {}): Promise<AgentRun> {
  return runAgent('Filesystem', action, { instance: 'fs-test', ...options, params, path: HEARTBEAT });
}

/**
 * heartbeat's Filesystem refuses every action (5) when modprobe is not installed, as in minimal containers; it
 * only runs it for a type missing from /proc/filesystems. A stand-in that succeeds lets it run here; returns
 * the environment for heartbeat() calls.
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

export async function mountTable(): Promise<MountEntry[]> {
  return parseMountinfo(await readFile('/proc/self/mountinfo', 'utf8'));
}

export async function mountsUnder(dir: string): Promise<MountEntry[]> {
  return (await mountTable()).filter((e) => e.mountPoint === dir || e.mountPoint.startsWith(`${dir}/`));
}

/** Unmounts everything under dir (deepest first, lazily as a last resort) and removes it. */
export async function removeScratch(dir: string): Promise<void> {
  const mounts = (await mountsUnder(dir)).sort((a, b) => b.mountPoint.length - a.mountPoint.length);
  await unmountAll(mounts.map((m) => m.mountPoint));
  await rm(dir, { recursive: true, force: true });
}

export async function sha256(file: string): Promise<string> {
  return (await execa('sha256sum', [file])).stdout.split(' ')[0] ?? '';
}

/** Processes whose command line contains the marker (test doubles tag their children with it). */
export async function processesWith(marker: string): Promise<number[]> {
  const found: number[] = [];
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const cmdline = await readFile(`/proc/${name}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.split('\0').join(' ').includes(marker) && isAlive(Number(name))) found.push(Number(name));
  }
  return found;
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

/** Waits (bounded) for a condition that the system reaches asynchronously, e.g. a holder settling in. */
export async function eventually(check: () => Promise<boolean> | boolean, ms = 5000): Promise<boolean> {
  return (await poll(ms, async () => ((await check()) ? true : undefined), 25)) === true;
}

/** Asserts an exit code, with the agent's stderr in the failure message. */
export function expectRc(run: AgentRun, rc: number): void {
  expect(run.rc, `rc ${run.rc} instead of ${rc}; stderr: ${run.stderr}`).to.equal(rc);
}
