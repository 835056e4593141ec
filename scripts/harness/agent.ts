// SPDX-License-Identifier: GPL-2.0-or-later
// Runs an installed agent as a process, the way Pacemaker does (its environment, its own process group), and
// reports the outcome: for the system tests and the benchmarks (lib/ocf/run.ts is the pipeline inside an agent).
import { execa } from 'execa';
import { parseExitReasons } from '../../lib/ocf/exit-reason.js';
import { pacemakerEnv } from '../tsha.js';

export const OCF_DIR = '/usr/lib/ocf/resource.d/tsha';

export type AgentRun = {
  readonly rc: number;
  readonly stdout: string;
  readonly stderr: string;
  /** The last ocf-exit-reason line, without its prefix. */
  readonly reason: string | undefined;
  /** How many ocf-exit-reason lines stderr holds. */
  readonly reasonLines: number;
  readonly ms: number;
};

export type AgentRunOptions = {
  readonly params?: Record<string, string>;
  readonly meta?: Record<string, string>;
  /** Extra variables (HA_RSCTMP, OCF_CHECK_LEVEL, PATH ...). */
  readonly env?: Record<string, string>;
  readonly instance?: string;
  /** Run inside this network namespace (`ip netns exec`). */
  readonly netns?: string;
  /** The agent file; default the installed one. */
  readonly path?: string;
};

export { parseExitReasons as parseReasons };

export async function spawnAgent(agent: string, action: string | undefined, options: AgentRunOptions = {}): Promise<AgentRun> {
  const env = {
    ...pacemakerEnv({
      agent,
      instance: options.instance ?? `${agent.toLowerCase()}-test`,
      params: options.params ?? {},
      meta: options.meta ?? {},
      inherit: process.env,
    }),
    ...options.env,
  };
  const file = options.path ?? `${OCF_DIR}/${agent}`;
  const argv = action === undefined ? [] : [action];
  const [cmd, args] = options.netns ? ['ip', ['netns', 'exec', options.netns, file, ...argv]] : [file, argv];
  const started = Date.now();
  const result = await execa(cmd, args, { env, extendEnv: false, reject: false, detached: true, stdin: 'ignore' });
  const { reason, lines } = parseExitReasons(String(result.stderr));
  return {
    rc: result.exitCode ?? -1,
    stdout: String(result.stdout),
    stderr: String(result.stderr),
    reason,
    reasonLines: lines,
    ms: Date.now() - started,
  };
}
