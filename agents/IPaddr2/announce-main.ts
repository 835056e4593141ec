// SPDX-License-Identifier: GPL-2.0-or-later
// The background ARP sender: started detached by start (arp_bg), so the ARPs go on after the agent has exited.
// Bounded by its own deadline; SIGTERM (from stop) ends it and, through lib/exec's exit hook, its arpings.
import { createDeadline } from '../../lib/deadline.js';
import { withSystemPath } from '../../lib/ocf/env.js';
import { createExec } from '../../lib/exec.js';
import { silentLogger } from '../../lib/log.js';
import { parseAnnouncerArgs, sendArps } from './arp.js';

const announcement = parseAnnouncerArgs(process.argv.slice(2));
if (announcement) {
  process.on('SIGTERM', () => process.exit(143));
  process.env.PATH = withSystemPath(process.env.PATH);
  // every packet's arping lingers about a second after sending; leave two
  const budget = announcement.count * announcement.intervalMs + 3000;
  const deadline = createDeadline(budget, Date.now());
  void sendArps(createExec(deadline, silentLogger), deadline, silentLogger, announcement);
} else {
  process.exitCode = 2;
}
