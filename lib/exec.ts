// SPDX-License-Identifier: GPL-2.0-or-later
// Every external command runs here: argv arrays only (never a shell string), within the time the operation has
// left. Each command gets its own process group so that, at our deadline, we can kill it with everything it
// forked before Pacemaker's own SIGKILL of the agent arrives.
import { LineSplitter } from './lines.js';
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

// A command still running when the agent exits (say, after an unexpected error) must not outlive it.
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const pgid of liveGroups) killGroup(pgid);
  });
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

/** What every command gets: no rejection, its own process group, LC_ALL=C, the caller's variables and folder. */
function baseOptions(options: ExecOptions) {
  return {
    reject: false,
    detached: true,
    env: { LC_ALL: 'C', ...options.env },
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
  } as const;
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

/** What is left of a budget counted from `started`: loading execa and spawning take time of their own. */
const left = (budget: number, started: number): number => Math.max(0, budget - (Date.now() - started));

export function createExec(deadline: Deadline, log: Logger): Exec {
  const run = async (file: string, args: readonly string[], options: ExecOptions = {}): Promise<ExecResult> => {
    const command = describeCommand(file, args);
    const budget = Math.min(deadline.remaining(), options.timeoutMs ?? Number.POSITIVE_INFINITY);
    if (budget <= 0) throw OcfError.generic(`no time left to run \`${command}\``);
    const started = Date.now();
    const { execa } = await import('execa');
    const subprocess = execa(file, [...args], {
      ...baseOptions(options),
      stdin: options.input === undefined ? 'ignore' : 'pipe',
      ...(options.input === undefined ? {} : { input: options.input }),
      stripFinalNewline: false,
    });
    let timedOut = false;
    const group = trackGroup(subprocess.pid);
    const timer = setTimeout(() => {
      timedOut = true;
      group.kill();
    }, left(budget, started));
    const result = await subprocess;
    clearTimeout(timer);
    group.release();
    if (result.code === 'ENOENT' && result.exitCode === undefined) throw notInstalled(file);
    const outcome: ExecResult = {
      command,
      exitCode: result.exitCode,
      stdout: String(result.stdout ?? ''),
      stderr: String(result.stderr ?? ''),
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
    const { execa } = await import('execa');
    const subprocess = execa(file, [...args], { ...baseOptions(options), stdin: 'ignore', buffer: false });
    const group = trackGroup(subprocess.pid);
    let ended: WatchResult['ended'] | undefined;
    const stop = (why: WatchResult['ended']): void => {
      if (ended) return;
      ended = why;
      group.kill();
    };
    const timer = setTimeout(() => stop('timeout'), left(budget, started));
    const lines = new LineSplitter();
    let stderr = '';
    subprocess.stdout?.setEncoding('utf8');
    subprocess.stdout?.on('data', (chunk: string) => {
      for (const line of lines.push(chunk)) {
        if (ended) break;
        if (onLine(line)) stop('matched');
      }
    });
    subprocess.stderr?.setEncoding('utf8');
    subprocess.stderr?.on('data', (chunk: string) => {
      if (stderr.length < 4096) stderr += chunk;
    });
    const result = await subprocess;
    clearTimeout(timer);
    group.release();
    if (result.code === 'ENOENT' && result.exitCode === undefined) throw notInstalled(file);
    if (!ended) {
      const last = lines.end();
      ended = last !== undefined && onLine(last) ? 'matched' : 'exited';
    }
    log.debug('watch ended', { command, ended, rc: result.exitCode });
    return { command, ended, exitCode: ended === 'exited' ? result.exitCode : undefined, stderr };
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
  const { execa } = await import('execa');
  const subprocess = execa(file, [...args], {
    ...baseOptions(options),
    stdio: 'ignore',
    cleanup: false, // execa would otherwise kill it when the agent exits
  });
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
