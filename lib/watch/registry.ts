// SPDX-License-Identifier: GPL-2.0-or-later
// The event watch's files under $HA_RSCTMP/tsha-watch/: one registration per watched resource instance
// (<Agent>_<instance>.json, written by start, removed by stop before anything else), a `.reported` mark per
// instance (the generation whose failure was reported, so that no failure is reported twice, even by a
// restarted daemon), and the daemon's pid file (pid and process start time, so a reused pid is never trusted).
// Under HA_RSCTMP, a reboot leaves none of it.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { claimOwnerFile, isLiveHolder, ownerLine, parseOwnerLine, readState, removeState, stateDir, stateFileName, writeState } from '../state.js';
import type { Interest } from './interest.js';

export const WATCH_DIR_NAME = 'tsha-watch';
export const PID_FILE = '.daemon.pid';
const REGISTRATION_SUFFIX = '.json';
const REPORTED_SUFFIX = '.reported';

export type Registration = {
  readonly agent: string;
  /** OCF_RESOURCE_INSTANCE (`ClusterDrbd:0` for a clone instance). */
  readonly instance: string;
  /** The resource id crm_resource takes: the instance without a clone's `:N`. */
  readonly resource: string;
  readonly node: string;
  /** Changes at every start: a report names the start it is about. */
  readonly generation: string;
  readonly interest: Interest;
  /** The OCF environment the start got, to run the agent's own monitor as Pacemaker would. */
  readonly env: Readonly<Record<string, string>>;
  /** The recurring monitor's timeout, when known (ms). */
  readonly monitorTimeoutMs?: number;
};

export function watchDir(env: NodeJS.ProcessEnv): string {
  return path.join(stateDir(env), WATCH_DIR_NAME);
}

export const registrationName = (agent: string, instance: string): string => `${stateFileName(agent, instance)}${REGISTRATION_SUFFIX}`;
const reportedName = (registration: string): string => registration.replace(/\.json$/, REPORTED_SUFFIX);
export const isRegistrationName = (name: string): boolean => name.endsWith(REGISTRATION_SUFFIX) && !name.startsWith('.');

/** The clone suffix off: Pacemaker names the resource, not the instance, in crm_resource and crm_mon. */
export const resourceOf = (instance: string): string => instance.replace(/:\d+$/, '');

/** Variables the saved environment keeps: what the OCF pipeline reads, less the operation's own timing. */
export function savedEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    if (value === undefined) continue;
    if (key === 'OCF_RESKEY_CRM_meta_timeout' || key === 'OCF_RESKEY_CRM_meta_interval') continue;
    if (key === 'OCF_ROOT' || key === 'OCF_RESOURCE_INSTANCE' || key === 'OCF_RESOURCE_TYPE' || key === 'OCF_RESOURCE_PROVIDER' ||
      key.startsWith('OCF_RESKEY_') || key.startsWith('HA_') || key === 'PATH' || key.startsWith('TSHA_')) out[key] = value;
  }
  return out;
}

export async function writeRegistration(dir: string, registration: Registration): Promise<void> {
  const name = registrationName(registration.agent, registration.instance);
  await removeState(dir, reportedName(name));
  await writeState(dir, name, `${JSON.stringify(registration)}\n`);
}

export async function removeRegistration(dir: string, agent: string, instance: string): Promise<void> {
  const name = registrationName(agent, instance);
  await removeState(dir, name);
  await removeState(dir, reportedName(name));
}

export async function readRegistration(dir: string, name: string): Promise<Registration | undefined> {
  const text = await readState(dir, name).catch(() => undefined);
  if (text === undefined) return undefined;
  try {
    const parsed = JSON.parse(text) as Registration;
    return typeof parsed.generation === 'string' && typeof parsed.interest?.kind === 'string' ? parsed : undefined;
  } catch {
    return undefined; // half a file cannot happen (atomic writes); anything else is not ours
  }
}

export async function listRegistrations(dir: string): Promise<string[]> {
  try {
    return (await fs.readdir(dir)).filter(isRegistrationName).sort();
  } catch {
    return [];
  }
}

export async function reportedGeneration(dir: string, name: string): Promise<string | undefined> {
  return (await readState(dir, reportedName(name)).catch(() => undefined))?.trim();
}

export async function markReported(dir: string, name: string, generation: string): Promise<void> {
  await writeState(dir, reportedName(name), `${generation}\n`);
}

export type DaemonPid = { readonly pid: number; readonly started: string };

export async function readDaemonPid(dir: string): Promise<DaemonPid | undefined> {
  const { pid, started } = parseOwnerLine(await readState(dir, PID_FILE).catch(() => undefined));
  return pid > 1 && started ? { pid, started } : undefined;
}

/** The running daemon's pid, or undefined when the pid file is missing, stale, or names a reused pid. */
export async function liveDaemon(dir: string): Promise<number | undefined> {
  const recorded = await readDaemonPid(dir);
  return recorded && isLiveHolder(recorded.pid, recorded.started) ? recorded.pid : undefined;
}

/**
 * The daemon claims the pid file: created exclusively, or taken over from a daemon that is gone. False when
 * another live daemon holds it, or when the folder is gone (no mkdir: the folder is made by the registration;
 * gone means the last stop came first, and there is nothing to watch).
 */
export async function claimPidFile(dir: string): Promise<boolean> {
  return claimOwnerFile(path.join(dir, PID_FILE), ownerLine(), 0o644) === 'claimed';
}

export async function releasePidFile(dir: string): Promise<void> {
  const recorded = await readDaemonPid(dir);
  if (recorded?.pid === process.pid) await removeState(dir, PID_FILE);
}
