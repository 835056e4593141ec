// SPDX-License-Identifier: GPL-2.0-or-later
// Test doubles of the external commands the installed agents run by name through PATH: a folder put first on
// the agent's PATH wins over the system folders lib/ocf/env.ts appends. A hanging double records its pid and
// process group as it starts, so a test can check in /proc that nothing of it survived the agent; a recording
// double keeps each call's argv exactly as the kernel handed it over (NUL-separated), then runs the real command.
import { constants } from 'node:fs';
import { access, chmod, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { OCF_DIR } from './agent.js';

/** The folders the agents append to any PATH (lib/ocf/env.ts), for the command a double passes calls on to. */
const SYSTEM_DIRS = ['/usr/sbin', '/usr/bin', '/sbin', '/bin'];

export type HangKind = 'hang' | 'ignore-term';

export type HangOptions = {
  /** `hang` sleeps forever; `ignore-term` also ignores SIGTERM (`trap '' TERM`, inherited by its sleep). */
  readonly kind: HangKind;
  /** Only calls whose arguments match this sh `case` pattern (on " $* ") hang; the others run `real`. */
  readonly only?: string;
  /** The command other calls go to (default: the same name in the system folders). */
  readonly real?: string;
};

/** A process a double started: the shell, its sleeping child and the process group they share. */
export type DoubleProcess = { readonly pid: number; readonly pgid: number; readonly child: number | undefined };

export type Doubles = {
  /** Put first on the agent's PATH. */
  readonly dir: string;
  /** A double of `name` that hangs (all calls, or those matching `only`). */
  hang(name: string, options: HangOptions): Promise<void>;
  /**
   * A double of `name` that records its argv, then execs `real` (default: the system's `name`); with `keepInput`,
   * it keeps its standard input instead of passing it on (see `input`).
   */
  record(name: string, real?: string, keepInput?: boolean): Promise<void>;
  /** What the calls of a `keepInput` double read on standard input, one after the other. */
  input(name: string): Promise<string>;
  /** The processes hanging doubles started so far. */
  started(): Promise<DoubleProcess[]>;
  /** Each recorded call of `name`: its argv (without argv[0]). */
  calls(name: string): Promise<string[][]>;
  /** A `PATH` with this folder first, then `rest` (default: the system folders). */
  path(...rest: string[]): string;
  remove(): Promise<void>;
};

const q = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

async function systemCommand(name: string): Promise<string> {
  for (const dir of SYSTEM_DIRS) {
    const file = path.join(dir, name);
    if (await access(file, constants.X_OK).then(() => true, () => false)) return file;
  }
  // a command the system lacks: calls that pass through fail as a missing program would
  return '/bin/false';
}

export async function createDoubles(label: string): Promise<Doubles> {
  const dir = await mkdtemp(path.join(os.tmpdir(), `tsha-doubles-${label}-`));
  const bin = path.join(dir, 'bin');
  const pids = path.join(dir, 'pids');
  const calls = path.join(dir, 'calls');
  await mkdir(bin);
  await mkdir(calls);
  await writeFile(pids, '');
  const write = async (name: string, body: string): Promise<void> => {
    const file = path.join(bin, name);
    await writeFile(file, `#!/bin/sh\n# tsha test double of ${name}\n${body}`);
    await chmod(file, 0o755);
  };
  return {
    dir: bin,
    async hang(name, options) {
      const real = options.real ?? (await systemCommand(name));
      const filter = options.only === undefined ? '' : `case " $* " in ${options.only}) ;; *) exec ${q(real)} "$@" ;; esac\n`;
      const trap = options.kind === 'ignore-term' ? "trap '' TERM\n" : '';
      // field 5 of /proc/PID/stat is the process group (the comm field holds the double's name: no spaces)
      await write(
        name,
        `${filter}${trap}read -r _ _ _ _ pgid _ < /proc/$$/stat\nsleep 1000000 &\n` +
          `echo "$$ $pgid $!" >> ${q(pids)}\nwait $!\nexec sleep 1000000\n`,
      );
    },
    async record(name, real, keepInput = false) {
      const target = real ?? (await systemCommand(name));
      const log = path.join(calls, name);
      const input = keepInput ? `cat >> ${q(`${log}.input`)}\nexec ${q(target)} "$@" < /dev/null\n` : `exec ${q(target)} "$@"\n`;
      // one record per call: the argument count, then each argument, NUL-terminated
      await write(name, `{ printf '%s\\0' "$#"; printf '%s\\0' "$@"; } >> ${q(log)}\n${input}`);
    },
    input: (name) => readFile(path.join(calls, `${name}.input`), 'utf8').catch(() => ''),
    async started() {
      const text = await readFile(pids, 'utf8');
      return text
        .split('\n')
        .filter(Boolean)
        .map((line) => {
          const [pid, pgid, child] = line.split(' ').map(Number);
          return { pid: pid ?? 0, pgid: pgid ?? 0, child: Number.isInteger(child) ? child : undefined };
        });
    },
    async calls(name) {
      const raw = await readFile(path.join(calls, name), 'utf8').catch(() => '');
      const fields = raw.split('\0');
      const out: string[][] = [];
      for (let i = 0; i < fields.length - 1; ) {
        const count = Number(fields[i]);
        out.push(fields.slice(i + 1, i + 1 + count));
        i += 1 + count;
      }
      return out;
    },
    path: (...rest) => [bin, ...(rest.length > 0 ? rest : SYSTEM_DIRS)].join(':'),
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

export type ProcEntry = { readonly pid: number; readonly pgid: number; readonly state: string; readonly comm: string };

/** Every process in /proc, with its state and process group. */
export async function listProcesses(): Promise<ProcEntry[]> {
  const out: ProcEntry[] = [];
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = await readFile(`/proc/${name}/stat`, 'utf8').catch(() => undefined);
    if (stat === undefined) continue;
    // comm may hold spaces and parentheses: the fields after it start after the last `)`
    const close = stat.lastIndexOf(')');
    const [state = '', , pgid = ''] = stat.slice(close + 2).split(' ');
    out.push({ pid: Number(name), pgid: Number(pgid), state, comm: stat.slice(stat.indexOf('(') + 1, close) });
  }
  return out;
}

/**
 * The live processes left of what the doubles started: the shell, its child, or anything in their process group.
 * Zombies do not count: they hold nothing and only wait for init (which, here, reaps them late) to collect them.
 */
export async function survivors(started: readonly DoubleProcess[]): Promise<ProcEntry[]> {
  if (started.length === 0) return [];
  const pids = new Set(started.flatMap((p) => [p.pid, ...(p.child === undefined ? [] : [p.child])]));
  const groups = new Set(started.map((p) => p.pgid));
  return (await listProcesses()).filter((p) => p.state !== 'Z' && (pids.has(p.pid) || groups.has(p.pgid)));
}

/**
 * A file that runs the installed agent inside a network namespace, for runAgent's `path`: spawned by absolute
 * path, so a double of `ip` on the agent's PATH cannot stand in for the `ip netns exec` that enters it.
 */
export async function agentInNamespace(dir: string, agent: string, netns: string): Promise<string> {
  const ip = (await execa('sh', ['-c', 'command -v ip'])).stdout.trim();
  const file = path.join(dir, `${agent}-in-${netns}`);
  await writeFile(file, `#!/bin/sh\nexec ${q(ip)} netns exec ${q(netns)} ${q(`${OCF_DIR}/${agent}`)} "$@"\n`);
  await chmod(file, 0o755);
  return file;
}

/** Runs `tasks` with at most `limit` at a time; results in the tasks' order. */
export async function pooled<T>(limit: number, tasks: readonly (() => Promise<T>)[]): Promise<T[]> {
  const results: T[] = new Array<T>(tasks.length);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < tasks.length) {
      const i = next++;
      results[i] = await tasks[i]!();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, lane));
  return results;
}
