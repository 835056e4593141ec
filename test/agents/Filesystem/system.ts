// SPDX-License-Identifier: GPL-2.0-or-later
// Shared pieces of the Filesystem system tests: the agents (ours and heartbeat's), and what the benchmark shares
// with them (scripts/harness/filesystem.ts: a scratch directory, its mounts, holders of a mount).
import { readdir, readFile } from 'node:fs/promises';
import { expect } from 'chai';
import { execa } from 'execa';
import { spawnAgent, type AgentRun, type AgentRunOptions } from '../../helpers/agent.js';
import { isAlive, poll } from '../../../scripts/lab/sys.js';
import { HEARTBEAT } from '../../../scripts/harness/filesystem.js';

export { HEARTBEAT, heartbeatEnv, mountsUnder, removeScratch, scratchDir, startHolder, type Holder } from '../../../scripts/harness/filesystem.js';

export function fsAgent(action: string, params: Record<string, string>, options: Omit<AgentRunOptions, 'params'> = {}): Promise<AgentRun> {
  return spawnAgent('Filesystem', action, { instance: 'fs-test', ...options, params });
}

export function heartbeat(action: string, params: Record<string, string>, options: Omit<AgentRunOptions, 'params'> = {}): Promise<AgentRun> {
  return spawnAgent('Filesystem', action, { instance: 'fs-test', ...options, params, path: HEARTBEAT });
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

/** Waits (bounded) for a condition that the system reaches asynchronously, e.g. a holder settling in. */
export async function eventually(check: () => Promise<boolean> | boolean, ms = 5000): Promise<boolean> {
  return (await poll(ms, async () => ((await check()) ? true : undefined), 25)) === true;
}

/** Asserts an exit code, with the agent's stderr in the failure message. */
export function expectRc(run: AgentRun, rc: number): void {
  expect(run.rc, `rc ${run.rc} instead of ${rc}; stderr: ${run.stderr}`).to.equal(rc);
}
