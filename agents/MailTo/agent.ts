// SPDX-License-Identifier: GPL-2.0-or-later
import { defineAgent } from '../../lib/ocf/agent.js';
import { param } from '../../lib/ocf/params.js';
import { configure, monitor, start, stop, validate } from './actions.js';

export const mailToParams = {
  email: param.string({
    shortdesc: 'Email address',
    longdesc:
      'The recipients of the notification: one or more mail addresses (or local user names such as root), ' +
      'separated by commas or spaces. Each becomes a separate recipient.',
    required: true,
  }),
  subject: param.string({
    shortdesc: 'Subject',
    longdesc:
      'The start of the mail subject; the agent appends what happened, when and on which node. ' +
      'Line breaks are folded to spaces.',
    default: 'Resource Group',
  }),
} as const;

export type MailToParams = typeof mailToParams;

export const mailTo = defineAgent({
  name: 'MailTo',
  version: '0.1.0',
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
  configure,
  validate,
  validateTimeout: '5s',
});
