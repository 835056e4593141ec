// SPDX-License-Identifier: GPL-2.0-or-later
// Every external command runs here: argv arrays only (never a shell string), within the time the operation has
// left. Each command gets its own process group so that, at our deadline, we can kill it with everything it
// forked before Pacemaker's own SIGKILL of the agent arrives.
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

export type Exec = {
  /** Runs a command and returns its outcome; only a missing program or no time left throw. */
  run(file: string, args: readonly string[], options?: ExecOptions): Promise<ExecResult>;
  /** Like run, but a non-zero exit or a timeout throws OcfError(ERR_GENERIC) naming the command. */
  check(file: string, args: readonly string[], options?: ExecOptions): Promise<ExecResult>;
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

export function createExec(deadline: Deadline, log: Logger): Exec {
  const run = async (file: string, args: readonly string[], options: ExecOptions = {}): Promise<ExecResult> => {
    const command = describeCommand(file, args);
    const budget = Math.min(deadline.remaining(), options.timeoutMs ?? Number.POSITIVE_INFINITY);
    if (budget <= 0) throw OcfError.generic(`no time left to run \`${command}\``);
    const { execa } = await import('execa');
    installExitHook();
    const started = Date.now();
    const subprocess = execa(file, [...args], {
      reject: false,
      detached: true,
      stdin: options.input === undefined ? 'ignore' : 'pipe',
      ...(options.input === undefined ? {} : { input: options.input }),
      env: { LC_ALL: 'C', ...options.env },
      ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
      stripFinalNewline: false,
    });
    let timedOut = false;
    const pgid = subprocess.pid;
    if (pgid !== undefined) liveGroups.add(pgid);
    const timer = setTimeout(() => {
      timedOut = true;
      if (pgid !== undefined) killGroup(pgid);
    }, budget);
    const result = await subprocess;
    clearTimeout(timer);
    if (pgid !== undefined) liveGroups.delete(pgid);
    if (result.code === 'ENOENT' && result.exitCode === undefined) {
      throw OcfError.installed(`\`${file}\` is not installed (not found in PATH)`);
    }
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

  return { run, check };
}
