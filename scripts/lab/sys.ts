// SPDX-License-Identifier: GPL-2.0-or-later
// The lab's few system primitives: bounded commands, polling, the alive lock, the processes of a namespace.
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { execa } from 'execa';

export type RunResult = { readonly exitCode: number | undefined; readonly stdout: string; readonly stderr: string };

export type RunOptions = {
  /** Default 30 s; the command is killed after it. */
  readonly timeoutMs?: number;
  /** Default true: a non-zero exit throws an Error naming the command and its stderr. */
  readonly reject?: boolean;
  readonly input?: string;
  readonly env?: Record<string, string>;
};

export async function run(file: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const result = await execa(file, args, {
    reject: false,
    timeout: options.timeoutMs ?? 30_000,
    ...(options.input !== undefined ? { input: options.input } : { stdin: 'ignore' as const }),
    ...(options.env ? { env: options.env } : {}),
  });
  const out = { exitCode: result.exitCode, stdout: String(result.stdout ?? ''), stderr: String(result.stderr ?? '') };
  if ((options.reject ?? true) && out.exitCode !== 0) {
    const why = result.timedOut ? 'timed out' : `exit ${out.exitCode ?? result.signal}`;
    throw new Error(`\`${[file, ...args].join(' ')}\` failed (${why}): ${(out.stderr || out.stdout).trim().slice(0, 500)}`);
  }
  return out;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls `probe` until it returns a value other than undefined; undefined when timeoutMs passes first. */
export async function poll<T>(timeoutMs: number, probe: () => Promise<T | undefined>, everyMs = 250): Promise<T | undefined> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined || Date.now() >= end) return value;
    await sleep(everyMs);
  }
}

/** Like poll, but running out of time throws, naming `what`. */
export async function waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>, everyMs = 250): Promise<T> {
  const value = await poll(timeoutMs, probe, everyMs);
  if (value === undefined) throw new Error(`timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}`);
  return value;
}

const LOCK_BUSY = 75;

/** Whether some process holds the flock on `file` (a node's init holds its `alive` file while the node runs). */
export async function isLocked(file: string): Promise<boolean> {
  const result = await run('flock', ['--nonblock', '--conflict-exit-code', String(LOCK_BUSY), file, 'true'], { reject: false, timeoutMs: 5_000 });
  if (result.exitCode === LOCK_BUSY) return true;
  if (result.exitCode === 0) return false;
  throw new Error(`flock ${file}: ${result.stderr.trim() || `exit ${result.exitCode}`}`);
}

/** The PIDs (host view) of every process in a named network namespace; none when it does not exist. */
export async function netnsPids(netns: string): Promise<number[]> {
  const result = await run('ip', ['netns', 'pids', netns], { reject: false, timeoutMs: 10_000 });
  if (result.exitCode !== 0) return [];
  return result.stdout.split(/\s+/).filter(Boolean).map(Number);
}

/** The PID namespace init among `pids`: a process whose NSpid line ends in 1 (`NSpid: 12345 1`). */
export async function findInit(pids: readonly number[]): Promise<number | undefined> {
  for (const pid of pids) {
    const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
    const nspid = /^NSpid:\s+(.+)$/m.exec(status)?.[1]?.trim().split(/\s+/);
    if (nspid && nspid.length >= 2 && nspid.at(-1) === '1') return pid;
  }
  return undefined;
}

export async function listNetns(): Promise<string[]> {
  const result = await run('ip', ['netns', 'list'], { reject: false, timeoutMs: 10_000 });
  return result.stdout
    .split('\n')
    .map((line) => line.split(' ')[0] ?? '')
    .filter(Boolean);
}

/**
 * Whether a process exists and has not exited. A zombie has exited: it only waits for its parent to reap it, and
 * on this kind of machine PID 1 does not always reap orphans.
 */
export function isAlive(pid: number): boolean {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return false;
  }
  const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  return state !== 'Z' && state !== 'X';
}

/**
 * Kills every process of a network namespace and waits until each has exited (bounded). A dying process leaves
 * its namespaces before it finishes exiting, so an empty `ip netns pids` alone is not the end.
 */
export async function killNetns(netns: string, timeoutMs = 15_000): Promise<number> {
  const seen = new Set<number>();
  await waitFor(`the processes of ${netns} to die`, timeoutMs, async () => {
    const pids = await netnsPids(netns);
    for (const pid of pids) {
      seen.add(pid);
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone meanwhile
      }
    }
    if (pids.length > 0) return undefined;
    for (const pid of seen) if (isAlive(pid)) return undefined;
    return true;
  }, 50);
  return seen.size;
}
