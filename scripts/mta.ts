// SPDX-License-Identifier: GPL-2.0-or-later
// A real local MTA for the mail tests and the demo: postfix, loopback only, local delivery only, started if it is not running.
import { readFile } from 'node:fs/promises';
import { execa } from 'execa';
import { poll } from './lab/sys.js';

export const ROOT_MAILBOX = '/var/mail/root';

export async function ensurePostfix(): Promise<void> {
  await execa('postconf', [
    '-e',
    'inet_interfaces = loopback-only',
    'mydestination = $myhostname, localhost.localdomain, localhost',
    // nothing leaves this machine: mail for any other domain bounces at once
    'default_transport = error:local delivery only',
    'relay_transport = error:local delivery only',
  ]);
  await execa('newaliases', [], { reject: false });
  const status = await execa('postfix', ['status'], { reject: false });
  await execa('postfix', [status.exitCode === 0 ? 'reload' : 'start'], { reject: false });
  const after = await execa('postfix', ['status'], { reject: false });
  if (after.exitCode !== 0) throw new Error(`postfix does not run: ${after.stderr}`);
}

export type Mail = { readonly headers: string; readonly body: string; readonly raw: string };

/** Messages of an mbox file, split on its `From ` separator lines. */
export function parseMbox(text: string): Mail[] {
  return text
    .split(/^From \S+ .*$/m)
    .map((m) => m.replace(/^\n/, ''))
    .filter((m) => m.trim() !== '')
    .map((raw) => {
      const split = raw.indexOf('\n\n');
      return { raw, headers: split < 0 ? raw : raw.slice(0, split), body: split < 0 ? '' : raw.slice(split + 2) };
    });
}

export async function readMailbox(path: string = ROOT_MAILBOX): Promise<Mail[]> {
  try {
    return parseMbox(await readFile(path, 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

/** Waits (at most timeoutMs) until `count` messages whose raw text contains `token` are in the mailbox. */
export async function waitForMail(token: string, count = 1, timeoutMs = 20_000, path = ROOT_MAILBOX): Promise<Mail[]> {
  let found: Mail[] = [];
  await poll(timeoutMs, async () => {
    found = (await readMailbox(path)).filter((m) => m.raw.includes(token));
    return found.length >= count ? true : undefined;
  }, 200);
  return found;
}

/** The value of one header (unfolded), or undefined. */
export function header(mail: Mail, name: string): string | undefined {
  const unfolded = mail.headers.replace(/\n[ \t]+/g, ' ');
  const match = new RegExp(`^${name}: (.*)$`, 'mi').exec(unfolded);
  return match?.[1];
}

/** All header names, in order, for checking that nothing was injected. */
export function headerNames(mail: Mail): string[] {
  return mail.headers
    .replace(/\n[ \t]+/g, ' ')
    .split('\n')
    .map((l) => /^([A-Za-z-]+):/.exec(l)?.[1])
    .filter((n): n is string => n !== undefined);
}
