// SPDX-License-Identifier: GPL-2.0-or-later
// ocf:heartbeat:MailTo's parameters, with its names and defaults; each parsed once, here.
import type { ActionContext } from '../../lib/ocf/agent.js';
import { invalid, param } from '../../lib/ocf/params.js';
import { parseRecipients } from './mail.js';

export const mailToParams = {
  email: param.string({
    shortdesc: 'Email address',
    longdesc:
      'The recipients of the notification: one or more mail addresses (or local user names such as root), ' +
      'separated by commas or spaces. Each becomes a separate recipient.',
    required: true,
    parse: (raw) => {
      const recipients = parseRecipients(raw);
      return recipients.ok ? recipients.list : invalid(recipients.problem);
    },
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
export type Ctx = ActionContext<MailToParams>;
