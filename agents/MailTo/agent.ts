// SPDX-License-Identifier: GPL-2.0-or-later
import { defineAgent } from '../../lib/ocf/agent.js';
import { VERSION } from '../../lib/version.js';
import { monitor, start, stop } from './actions.js';
import { mailToParams } from './params.js';

export const mailTo = defineAgent({
  name: 'MailTo',
  version: VERSION,
  shortdesc: 'Notifies recipients by email in the event of a resource takeover',
  longdesc:
    'Sends a mail through the local sendmail interface (postfix, exim or msmtp) when the resource starts ' +
    '(a takeover) and when it stops (the resources migrate away). A mail that cannot be sent is logged as a ' +
    'warning and never fails the operation: a notification must not block a failover. Drop-in replacement ' +
    'for ocf:heartbeat:MailTo.',
  params: mailToParams,
  actions: {
    start: { timeout: '10s', handler: start },
    stop: { timeout: '10s', handler: stop },
    monitor: { timeout: '10s', interval: '10s', depth: 0, handler: monitor },
  },
  // start and stop succeed without a mailer (a mail never blocks a failover); validate-all at level 10 wants one
  programs: [{ name: 'sendmail', provider: 'postfix, exim or msmtp', actions: [] }],
  validateTimeout: '5s',
});
