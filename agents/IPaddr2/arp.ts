// SPDX-License-Identifier: GPL-2.0-or-later
// Sending gratuitous ARPs, shared by start and by the detached background sender (announce-main.ts). Kept apart
// from announce.ts so that the sender's bundle does not pull in what only the agent needs.
import { sleepWithin, type Deadline } from '../../lib/deadline.js';
import type { Exec } from '../../lib/exec.js';
import type { Logger } from '../../lib/log.js';

/** Gratuitous ARP requests (arping -U) or replies (arping -A). */
export type ArpMode = 'unsolicited' | 'answer';

/** arp_sender's meaning: send_arp and libnet_arping, heartbeat's other senders, behave as iputils_arping. */
export const arpMode = (sender: string): ArpMode => (sender === 'iputils_arping_answer' ? 'answer' : 'unsolicited');

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

/** The announcer's argv (after node and the script) back to an Announcement. */
export function parseAnnouncerArgs(argv: readonly string[]): Announcement | undefined {
  const [nic, ip, prefix, mode, count, intervalMs] = argv;
  if (!nic || !ip || (mode !== 'unsolicited' && mode !== 'answer')) return undefined;
  const numbers = [prefix, count, intervalMs].map(Number);
  if (numbers.some((n) => !Number.isInteger(n) || n < 0)) return undefined;
  return { nic, ip, mode, prefix: numbers[0] ?? 0, count: numbers[1] ?? 0, intervalMs: numbers[2] ?? 0 };
}
