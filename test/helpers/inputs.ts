// SPDX-License-Identifier: GPL-2.0-or-later
// Pieces of the table-driven input suite (test/agents/inputs.test.ts): a wrapper that gives an installed agent what
// Node cannot pass (raw non-UTF-8 bytes, a removed variable, extra arguments, a program hidden from it), the
// processes an agent left behind, and a bounded pool to run cases side by side.
import { chmod, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { OCF_DIR, spawnAgent, type AgentRun, type AgentRunOptions } from './agent.js';

/** The variable every case's agent gets (and its children inherit): finds what a case left running. */
export const CASE_MARKER = 'TSHA_INPUTS_CASE';

/*
 * The wrapper runs as the agent's own process (it execs the agent, keeping the pid and process group Pacemaker
 * gave it). Its directives arrive in TSHA_WRAP_* variables, which it removes before the exec:
 *   TSHA_WRAP_AGENT                  the agent file
 *   TSHA_WRAP_RAW_NAME / _RAW_VALUE  export NAME as the bytes of printf's octal escapes in VALUE (not UTF-8)
 *   TSHA_WRAP_UNSET                  variables to remove (OCF_ROOT ...)
 *   TSHA_WRAP_EXTRA                  words appended to the agent's arguments
 *   TSHA_WRAP_HIDE                   a program file made absent (a bind mount of /dev/null over it, which is not an
 *                                    executable file) in a private mount namespace of the agent alone
 */
const WRAPPER = `#!/bin/sh
# test wrapper of the tsha input suite: sets up the case, then becomes the agent
set -eu
agent=$TSHA_WRAP_AGENT
if [ -n "\${TSHA_WRAP_RAW_NAME:-}" ]; then
  value=$(printf "$TSHA_WRAP_RAW_VALUE")
  export "$TSHA_WRAP_RAW_NAME=$value"
fi
set -f
for name in \${TSHA_WRAP_UNSET:-}; do unset "$name"; done
set -- "$@" \${TSHA_WRAP_EXTRA:-}
set +f
hide=\${TSHA_WRAP_HIDE:-}
unset TSHA_WRAP_AGENT TSHA_WRAP_RAW_NAME TSHA_WRAP_RAW_VALUE TSHA_WRAP_UNSET TSHA_WRAP_EXTRA TSHA_WRAP_HIDE
if [ -n "$hide" ]; then
  exec unshare --mount --propagation private -- sh -c 'mount --bind /dev/null "$1" && shift && exec "$@"' sh "$hide" "$agent" "$@"
fi
exec "$agent" "$@"
`;

/** Writes the wrapper into dir; returns its path. */
export async function installWrapper(dir: string): Promise<string> {
  const file = path.join(dir, 'wrap-agent');
  await writeFile(file, WRAPPER);
  await chmod(file, 0o755);
  return file;
}

export type WrappedRun = {
  /** Parameters as strings (UTF-8 in the agent's environment). */
  readonly params: Record<string, string>;
  /** One parameter given as raw bytes instead. */
  readonly rawParam?: { readonly name: string; readonly bytes: Buffer };
  readonly unset?: readonly string[];
  readonly extraArgs?: readonly string[];
  /** The program file to hide (its real path, symlinks resolved). */
  readonly hide?: string;
};

/** printf escapes for every byte: the format string carries the value without any shell quoting. */
export function octalEscapes(bytes: Buffer): string {
  return [...bytes].map((b) => `\\${b.toString(8).padStart(3, '0')}`).join('');
}

/**
 * Runs the installed agent through the wrapper, as test/helpers/agent.ts runs it (Pacemaker's environment, its own
 * process group, in a network namespace if asked). marker tags the agent and everything it starts.
 */
export function runWrapped(
  wrapper: string,
  agent: string,
  action: string | undefined,
  run: WrappedRun,
  marker: string,
  options: Omit<AgentRunOptions, 'params' | 'path'>,
): Promise<AgentRun> {
  const directives: Record<string, string> = { [CASE_MARKER]: marker, TSHA_WRAP_AGENT: `${OCF_DIR}/${agent}` };
  if (run.rawParam) {
    directives.TSHA_WRAP_RAW_NAME = `OCF_RESKEY_${run.rawParam.name}`;
    directives.TSHA_WRAP_RAW_VALUE = octalEscapes(run.rawParam.bytes);
  }
  if (run.unset?.length) directives.TSHA_WRAP_UNSET = run.unset.join(' ');
  if (run.extraArgs?.length) directives.TSHA_WRAP_EXTRA = run.extraArgs.join(' ');
  if (run.hide) directives.TSHA_WRAP_HIDE = run.hide;
  return spawnAgent(agent, action, { ...options, params: run.params, path: wrapper, env: { ...options.env, ...directives } });
}

/** Processes (pid and command line) whose environment carries marker: what a case's agent left running. */
export async function processesMarked(marker: string): Promise<string[]> {
  const needle = Buffer.from(`${CASE_MARKER}=${marker}\0`);
  const found: string[] = [];
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    const environ = await readFile(`/proc/${name}/environ`).catch(() => undefined);
    if (!environ?.includes(needle)) continue;
    const cmdline = await readFile(`/proc/${name}/cmdline`, 'utf8').catch(() => '');
    found.push(`${name} ${cmdline.split('\0').join(' ').trim()}`);
  }
  return found;
}

/**
 * Runs the tasks, one per resource at a time (a resource is what a task must have to itself: a namespace, a loop
 * device); resolves when all are done, a task's rejection being its own result.
 */
export async function inPool<R, T>(resources: readonly R[], tasks: readonly ((resource: R) => Promise<T>)[]): Promise<PromiseSettledResult<T>[]> {
  const results: PromiseSettledResult<T>[] = new Array(tasks.length);
  let next = 0;
  const worker = async (resource: R): Promise<void> => {
    while (next < tasks.length) {
      const index = next++;
      try {
        results[index] = { status: 'fulfilled', value: await tasks[index]!(resource) };
      } catch (reason) {
        results[index] = { status: 'rejected', reason };
      }
    }
  };
  await Promise.all(resources.map(worker));
  return results;
}

/** Every path under dir with its kind and size, sorted: equal listings mean nothing was created or removed. */
export async function treeListing(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (sub: string): Promise<void> => {
    for (const entry of await readdir(path.join(dir, sub), { withFileTypes: true })) {
      const rel = path.join(sub, entry.name);
      out.push(`${rel}${entry.isDirectory() ? '/' : entry.isSymbolicLink() ? '@' : ''}`);
      if (entry.isDirectory()) await walk(rel);
    }
  };
  await walk('');
  return out.sort();
}
