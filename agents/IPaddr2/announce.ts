// SPDX-License-Identifier: GPL-2.0-or-later
// Telling the neighbours where the address now lives: gratuitous ARP (iputils arping) for IPv4, unsolicited
// neighbour advertisements (resource-agents' send_ua) for IPv6. Failures are logged, never fatal for IPv4
// (heartbeat does the same): the address is up, the neighbours will learn it at their next ARP request.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { findProgram } from '../../lib/binaries.js';
import { sleepWithin, type Deadline } from '../../lib/deadline.js';
import { spawnDetached } from '../../lib/exec.js';
import type { Logger } from '../../lib/log.js';
import { readState, removeState, writeState } from '../../lib/state.js';
import { type Announcement } from './arp.js';

export { arpingArgs, parseAnnouncerArgs, sendArps, type Announcement } from './arp.js';

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

/**
 * The detached sender's entry point, beside this module's file: announce.js in dist/, or IPaddr2's main.js in the
 * bundle (only the agent imports this module, so the bundler keeps it in the agent's own file).
 */
export const announcerPath = fileURLToPath(new URL('./announce-main.js', import.meta.url));

export function announcerArgs(a: Announcement): string[] {
  return [announcerPath, a.nic, a.ip, String(a.prefix), a.mode, String(a.count), String(a.intervalMs)];
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

// How often stop looks whether the signalled sender has gone.
const SENDER_POLL_MS = 20;

/**
 * Ends a background sender left by start or monitor (heartbeat kills send_arp by pid file on stop too), and waits
 * for it to go (within the deadline): a gratuitous ARP sent after stop would draw the address's traffic back here
 * from the node that takes it over.
 */
export async function stopBackground(stateDirectory: string, pidFile: string, ip: string, log: Logger, deadline: Deadline): Promise<void> {
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
    while ((await isOurSender(pid, ip)) && (await sleepWithin(deadline, SENDER_POLL_MS)));
  }
  await removeState(stateDirectory, pidFile);
}
