// SPDX-License-Identifier: GPL-2.0-or-later
import { OcfExit, type OcfExitCode } from '../../lib/ocf/exit-codes.js';
import { errorMessage } from '../../lib/ocf/errors.js';
import { readState, removeState, stateDir, stateFileName, writeState } from '../../lib/state.js';
import { buildMessage, type Event } from './mail.js';
import type { Ctx } from './params.js';

// Leave the end of the operation's budget for the state file and the exit code, whatever the MTA does.
const MAIL_RESERVE_MS = 300;

function stateName(ctx: Ctx): string {
  return stateFileName('MailTo', ctx.instance);
}

async function sendMail(ctx: Ctx, event: Event): Promise<void> {
  const recipients = ctx.params.email;
  const message = buildMessage({
    recipients,
    subject: ctx.params.subject,
    event,
    node: ctx.node,
    resource: ctx.instance,
    date: new Date(),
  });
  try {
    const timeoutMs = Math.max(1, ctx.deadline.remaining() - MAIL_RESERVE_MS);
    const result = await ctx.exec.run('sendmail', ['-i', ...recipients], { input: message, timeoutMs });
    if (result.ok) ctx.log.info('mail sent', { event, recipients });
    else ctx.log.warn('mail not sent', { event, rc: result.exitCode, timedOut: result.timedOut, stderr: result.stderr.trim() });
  } catch (error) {
    ctx.log.warn('mail not sent', { event, reason: errorMessage(error) });
  }
}

export async function start(ctx: Ctx): Promise<OcfExitCode> {
  const dir = stateDir(ctx.env);
  if ((await readState(dir, stateName(ctx))) !== undefined) return OcfExit.SUCCESS;
  await writeState(dir, stateName(ctx), `${JSON.stringify({ started: new Date().toISOString(), node: ctx.node })}\n`);
  await sendMail(ctx, 'start');
  return OcfExit.SUCCESS;
}

export async function stop(ctx: Ctx): Promise<OcfExitCode> {
  const dir = stateDir(ctx.env);
  // Already stopped: no mail (heartbeat MailTo mails on every stop, even of a stopped resource).
  if ((await readState(dir, stateName(ctx))) === undefined) return OcfExit.SUCCESS;
  await removeState(dir, stateName(ctx));
  await sendMail(ctx, 'stop');
  return OcfExit.SUCCESS;
}

export async function monitor(ctx: Ctx): Promise<OcfExitCode> {
  return (await readState(stateDir(ctx.env), stateName(ctx))) === undefined ? OcfExit.NOT_RUNNING : OcfExit.SUCCESS;
}
