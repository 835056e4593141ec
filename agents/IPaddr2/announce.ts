// SPDX-License-Identifier: GPL-2.0-or-later
// Telling the neighbours where the address now lives: gratuitous ARP (iputils arping) for IPv4, unsolicited
// neighbour advertisements (resource-agents' send_ua) for IPv6. Failures are logged, never fatal for IPv4
// (heartbeat does the same): the address is up, the neighbours will learn it at their next ARP request.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { findProgram } from '../../lib/binaries.js';
import { sleepWithin, type Deadline } from '../../lib/deadline.js';
import { spawnDetached, type Exec } from '../../lib/exec.js';
import type { Logger } from '../../lib/log.js';
import { readState, removeState, writeState } from '../../lib/state.js';
import type { ArpMode } from './config.js';

export type Announcement = {
  readonly nic: string;
  readonly ip: string;
  readonly prefix: number;
  readonly mode: ArpMode;
  readonly count: number;
  readonly intervalMs: number;
};

/** The arping argv for one packet; -U sends ARP requests, -A ARP replies, both with sender = target = ip. */
export function arpingArgs(a: Pick<Announcement, 'nic' | 'ip' | 'mode'>): string[] {
  return [a.mode === 'answer' ? '-A' : '-U', '-c', '1', '-I', a.nic, a.ip];
}

/**
 * iputils arping takes its interval in whole seconds and lingers a second after its last packet, so each packet
 * gets its own `arping -c 1`, started arp_interval ms after the previous one.
 */
export async function sendArps(exec: Exec, deadline: Deadline, log: Logger, a: Announcement): Promise<number> {
  const runs: Promise<boolean>[] = [];
  for (let i = 0; i < a.count; i++) {
    if (i > 0 && !(await sleepWithin(deadline, a.intervalMs))) break;
    runs.push(
      exec.run('arping', arpingArgs(a)).then(
        (r) => r.ok,
        () => false,
      ),
    );
  }
  const sent = (await Promise.all(runs)).filter(Boolean).length;
  if (sent < a.count) log.warn('could not send every gratuitous ARP', { ip: a.ip, nic: a.nic, sent, wanted: a.count });
  else log.info('gratuitous ARPs sent', { ip: a.ip, nic: a.nic, count: sent });
  return sent;
}

const SEND_UA_DIRS = ['/usr/libexec/heartbeat', '/usr/lib/heartbeat'];

/** resource-agents' send_ua (HA_BIN overrides its folder, as in ocf-directories). */
export async function findSendUa(env: NodeJS.ProcessEnv): Promise<string | undefined> {
  for (const dir of env.HA_BIN ? [env.HA_BIN, ...SEND_UA_DIRS] : SEND_UA_DIRS) {
    const found = await findProgram(`${dir}/send_ua`, env);
    if (found) return found;
  }
  return undefined;
}

export function sendUaArgs(a: Announcement): string[] {
  return ['-i', String(a.intervalMs), '-c', String(a.count), a.ip, String(a.prefix), a.nic];
}

/** The detached sender's entry point, next to this file once compiled. */
export const announcerPath = fileURLToPath(new URL('./announce-main.js', import.meta.url));

export function announcerArgs(a: Announcement): string[] {
  return [announcerPath, a.nic, a.ip, String(a.prefix), a.mode, String(a.count), String(a.intervalMs)];
}

/** The announcer's argv (after node and the script) back to an Announcement. */
export function parseAnnouncerArgs(argv: readonly string[]): Announcement | undefined {
  const [nic, ip, prefix, mode, count, intervalMs] = argv;
  if (!nic || !ip || (mode !== 'unsolicited' && mode !== 'answer')) return undefined;
  const numbers = [prefix, count, intervalMs].map(Number);
  if (numbers.some((n) => !Number.isInteger(n) || n < 0)) return undefined;
  return { nic, ip, mode, prefix: numbers[0] ?? 0, count: numbers[1] ?? 0, intervalMs: numbers[2] ?? 0 };
}

/** Starts a sender that outlives the agent; its pid goes to a state file so that stop can end it. */
export async function startBackground(
  file: string,
  args: readonly string[],
  stateDirectory: string,
  pidFile: string,
  log: Logger,
): Promise<number> {
  const pid = await spawnDetached(file, args);
  await writeState(stateDirectory, pidFile, `${pid}\n`);
  log.info('announcement continues in the background', { pid });
  return pid;
}

/** Whether pid still runs one of our senders for ip (a pid may have been reused since). */
async function isOurSender(pid: number, ip: string): Promise<boolean> {
  try {
    const args = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0');
    return args.includes(ip) && args.some((a) => a.endsWith('/announce-main.js') || a.endsWith('/send_ua'));
  } catch {
    return false;
  }
}

/** Ends a background sender left by start or monitor (heartbeat kills send_arp by pid file on stop too). */
export async function stopBackground(stateDirectory: string, pidFile: string, ip: string, log: Logger): Promise<void> {
  const text = await readState(stateDirectory, pidFile);
  if (text === undefined) return;
  const pid = Number(text.trim());
  if (Number.isInteger(pid) && pid > 1 && (await isOurSender(pid, ip))) {
    try {
      process.kill(pid, 'SIGTERM');
      log.info('stopped the background announcement', { pid });
    } catch {
      // it ended meanwhile
    }
  }
  await removeState(stateDirectory, pidFile);
}
