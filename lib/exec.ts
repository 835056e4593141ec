// SPDX-License-Identifier: GPL-2.0-or-later
// Every external command runs here: argv arrays only (never a shell string), within the time the operation has
// left. Each command gets its own process group so that, at our deadline, we can kill it with everything it
// forked before Pacemaker's own SIGKILL of the agent arrives. Commands start with node:child_process, loaded
// on the first command only: meta-data and a monitor that runs nothing load none of it (execa, which ran them
// before, cost a MailTo monitor ~100 modules' worth of start-up; measured in scripts/bench/perf-probe.ts).
import type { ChildProcess, SpawnOptions } from 'node:child_process';
import { LineSplitter } from './lines.js';
import { nodeRequire } from './node-require.js';
import { OcfError } from './ocf/errors.js';
import type { Deadline } from './deadline.js';
import type { Logger } from './log.js';

export type ExecOptions = {
  /** Written to the command's standard input. */
  readonly input?: string;
  /** A cap below the operation's remaining time, in ms. */
  readonly timeoutMs?: number;
  /** Variables added to the inherited environment (LC_ALL=C is always set). */
  readonly env?: Readonly<Record<string, string>>;
  readonly cwd?: string;
};

export type ExecResult = {
  readonly command: string;
  /** undefined when the command was killed. */
  readonly exitCode: number | undefined;
  readonly stdout: string;
  readonly stderr: string;
  readonly ok: boolean;
  readonly timedOut: boolean;
};

export type WatchResult = {
  readonly command: string;
  /** `matched`: onLine returned true and the command was killed; `timeout`: the time ran out; `exited`: it ended. */
  readonly ended: 'matched' | 'timeout' | 'exited';
  /** undefined when the command was killed. */
  readonly exitCode: number | undefined;
  readonly stderr: string;
};

export type Exec = {
  /** Runs a command and returns its outcome; only a missing program or no time left throw. */
  run(file: string, args: readonly string[], options?: ExecOptions): Promise<ExecResult>;
  /** Like run, but a non-zero exit or a timeout throws OcfError(ERR_GENERIC) naming the command. */
  check(file: string, args: readonly string[], options?: ExecOptions): Promise<ExecResult>;
  /**
   * Runs a long-lived command (an event stream such as `drbdsetup events2`) and hands each stdout line to
   * onLine until it returns true, the time runs out or the command ends; the command's process group is then
   * killed.
   */
  watch(file: string, args: readonly string[], onLine: (line: string) => boolean, options?: ExecOptions): Promise<WatchResult>;
};

const liveGroups = new Set<number>();
let exitHookInstalled = false;
const FATAL_SIGNALS = ['SIGTERM', 'SIGINT', 'SIGHUP'] as const;

// A command still running when the agent exits (say, after an unexpected error) must not outlive it; nor when a
// signal ends the agent: then the groups are killed and the signal raised again, as if it had not been caught.
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  const killAll = () => {
    for (const pgid of liveGroups) killGroup(pgid);
  };
  process.on('exit', killAll);
  for (const signal of FATAL_SIGNALS) {
    const onSignal = (): void => {
      killAll();
      process.removeListener(signal, onSignal);
      // another handler (announce-main's SIGTERM) decides itself what the signal does
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    };
    process.on(signal, onSignal);
  }
}

function killGroup(pgid: number): void {
  try {
    process.kill(-pgid, 'SIGKILL');
  } catch {
    // already gone
  }
}

export function describeCommand(file: string, args: readonly string[]): string {
  return [file, ...args].map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : JSON.stringify(a))).join(' ');
}

/** The first non-empty line of a command's diagnostics, for an exit reason. */
export function firstLine(text: string): string {
  return (
    text
      .split('\n')
      .map((l) => l.trim())
      .find(Boolean) ?? ''
  );
}

const notInstalled = (file: string): OcfError => OcfError.installed(`\`${file}\` is not installed (not found in PATH)`);

/** node:child_process, required on the first command (an import would load it for every action). */
function childProcess(): typeof import('node:child_process') {
  return nodeRequire('node:child_process') as typeof import('node:child_process');
}

/** What every command gets: its own process group, LC_ALL=C, the caller's variables and folder. */
function spawnOptions(options: ExecOptions, stdio: SpawnOptions['stdio']): SpawnOptions {
  return {
    detached: true,
    env: { ...process.env, LC_ALL: 'C', ...options.env },
    stdio,
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
  };
}

type Ended = { exitCode: number | undefined; error: NodeJS.ErrnoException | undefined };

/** Resolves when the command has ended and its output is read; a command that could not start gives its error. */
function ended(child: ChildProcess): Promise<Ended> {
  return new Promise((resolve) => {
    let error: NodeJS.ErrnoException | undefined;
    child.once('error', (e: NodeJS.ErrnoException) => {
      error = e;
      // a spawn failure emits no close when no stdio was opened
      if (child.pid === undefined) resolve({ exitCode: undefined, error });
    });
    child.once('close', (code: number | null) => resolve({ exitCode: code ?? undefined, error }));
  });
}

/** Collects a stream as text. */
function collect(stream: NodeJS.ReadableStream | null): () => string {
  let text = '';
  stream?.setEncoding('utf8');
  stream?.on('data', (chunk: string) => (text += chunk));
  return () => text;
}

/** Tracks a command's process group until `release`, for the exit hook; `kill` ends the whole group. */
function trackGroup(pgid: number | undefined): { kill(): void; release(): void } {
  installExitHook();
  if (pgid !== undefined) liveGroups.add(pgid);
  return {
    kill: () => {
      if (pgid !== undefined) killGroup(pgid);
    },
    release: () => {
      if (pgid !== undefined) liveGroups.delete(pgid);
    },
  };
}

/** What is left of a budget counted from `started`: loading child_process and spawning take time of their own. */
const left = (budget: number, started: number): number => Math.max(0, budget - (Date.now() - started));

export function createExec(deadline: Deadline, log: Logger): Exec {
  const run = async (file: string, args: readonly string[], options: ExecOptions = {}): Promise<ExecResult> => {
    const command = describeCommand(file, args);
    const budget = Math.min(deadline.remaining(), options.timeoutMs ?? Number.POSITIVE_INFINITY);
    if (budget <= 0) throw OcfError.generic(`no time left to run \`${command}\``);
    const started = Date.now();
    const subprocess = childProcess().spawn(file, [...args], spawnOptions(options, [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe']));
    const done = ended(subprocess);
    const stdout = collect(subprocess.stdout);
    const stderr = collect(subprocess.stderr);
    if (subprocess.stdin) {
      // a command that exits without reading its input closes the pipe: that is its answer, not our error
      subprocess.stdin.on('error', () => {});
      subprocess.stdin.end(options.input);
    }
    let timedOut = false;
    const group = trackGroup(subprocess.pid);
    const timer = setTimeout(() => {
      timedOut = true;
      group.kill();
    }, left(budget, started));
    const result = await done;
    clearTimeout(timer);
    group.release();
    if (result.error?.code === 'ENOENT' && result.exitCode === undefined) throw notInstalled(file);
    const outcome: ExecResult = {
      command,
      exitCode: result.exitCode,
      stdout: stdout(),
      // a command that could not start (EACCES, say) has only the reason
      stderr: stderr() || (result.error?.message ?? ''),
      ok: result.exitCode === 0 && !timedOut,
      timedOut,
    };
    const fields = { command, rc: outcome.exitCode, ms: Date.now() - started, timedOut };
    if (outcome.ok) log.debug('command succeeded', fields);
    else log.debug('command failed', { ...fields, stderr: outcome.stderr.slice(0, 500) });
    return outcome;
  };

  const check = async (file: string, args: readonly string[], options?: ExecOptions): Promise<ExecResult> => {
    const result = await run(file, args, options);
    if (result.timedOut) throw OcfError.generic(`\`${result.command}\` timed out`);
    if (!result.ok) {
      const detail = firstLine(result.stderr) || firstLine(result.stdout);
      throw OcfError.generic(`\`${result.command}\` failed (rc ${result.exitCode})${detail ? `: ${detail}` : ''}`);
    }
    return result;
  };

  const watch = async (
    file: string,
    args: readonly string[],
    onLine: (line: string) => boolean,
    options: ExecOptions = {},
  ): Promise<WatchResult> => {
    const command = describeCommand(file, args);
    const budget = Math.min(deadline.remaining(), options.timeoutMs ?? Number.POSITIVE_INFINITY);
    if (budget <= 0) return { command, ended: 'timeout', exitCode: undefined, stderr: '' };
    const started = Date.now();
    const subprocess = childProcess().spawn(file, [...args], spawnOptions(options, ['ignore', 'pipe', 'pipe']));
    const done = ended(subprocess);
    const group = trackGroup(subprocess.pid);
    let outcome: WatchResult['ended'] | undefined;
    const stop = (why: WatchResult['ended']): void => {
      if (outcome) return;
      outcome = why;
      group.kill();
    };
    const timer = setTimeout(() => stop('timeout'), left(budget, started));
    const lines = new LineSplitter();
    let stderr = '';
    subprocess.stdout?.setEncoding('utf8');
    subprocess.stdout?.on('data', (chunk: string) => {
      for (const line of lines.push(chunk)) {
        if (outcome) break;
        if (onLine(line)) stop('matched');
      }
    });
    subprocess.stderr?.setEncoding('utf8');
    subprocess.stderr?.on('data', (chunk: string) => {
      if (stderr.length < 4096) stderr += chunk;
    });
    const result = await done;
    clearTimeout(timer);
    group.release();
    if (result.error?.code === 'ENOENT' && result.exitCode === undefined) throw notInstalled(file);
    if (!outcome) {
      const last = lines.end();
      outcome = last !== undefined && onLine(last) ? 'matched' : 'exited';
    }
    log.debug('watch ended', { command, ended: outcome, rc: result.exitCode });
    return { command, ended: outcome, exitCode: outcome === 'exited' ? result.exitCode : undefined, stderr };
  };

  return { run, check, watch };
}

export type DetachedOptions = Pick<ExecOptions, 'env' | 'cwd'>;

/**
 * Starts a command meant to outlive the agent (IPaddr2's background gratuitous ARPs): its own session and process
 * group, so neither our exit hook nor Pacemaker's SIGKILL of the agent's group reaches it; no stdio, so the agent
 * can exit at once. Resolves with its pid once it runs; a missing program throws OcfError(ERR_INSTALLED).
 */
export async function spawnDetached(file: string, args: readonly string[], options: DetachedOptions = {}): Promise<number> {
  // no exit hook for it: it is meant to outlive the agent
  const subprocess = childProcess().spawn(file, [...args], spawnOptions(options, 'ignore'));
  return new Promise<number>((resolve, reject) => {
    subprocess.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'ENOENT'
          ? notInstalled(file)
          : OcfError.generic(`\`${describeCommand(file, args)}\` could not start: ${error.message}`, error),
      );
    });
    subprocess.once('spawn', () => {
      subprocess.unref();
      resolve(subprocess.pid ?? 0);
    });
  });
}
