// SPDX-License-Identifier: GPL-2.0-or-later
// Pure mail building: recipients and headers are data, so no value can add a header or reach a shell.

// A deliberately plain address: local part (with an optional @domain) of characters no MTA or shell treats
// specially; `root` alone is a local user, as heartbeat MailTo allows.
const ADDRESS = /^[A-Za-z0-9._%+=-]+(@[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?)?$/;

export type Recipients = { ok: true; list: string[] } | { ok: false; problem: string };

/** Splits `email` on commas, semicolons and white space; each part must be a plain address. */
export function parseRecipients(raw: string): Recipients {
  const list = raw.split(/[\s,;]+/).filter(Boolean);
  if (list.length === 0) return { ok: false, problem: 'parameter `email` names no recipient' };
  for (const address of list) {
    if (address.startsWith('-') || !ADDRESS.test(address)) {
      return { ok: false, problem: `parameter \`email\`: \`${address}\` is not a mail address` };
    }
  }
  return { ok: true, list: [...new Set(list)] };
}

/** Folds control characters (CR and LF among them) to single spaces, so text stays in its header. */
export function headerText(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f]+/g, ' ').replace(/ {2,}/g, ' ').trim();
}

/** RFC 2047 encoded words for non-ASCII header text (the seed's users write French). */
export function encodeHeader(text: string): string {
  if (/^[\x20-\x7e]*$/.test(text)) return text;
  const words: string[] = [];
  let chunk = '';
  // Each encoded word stays under 75 characters: at most 45 bytes of UTF-8 before base64.
  for (const char of text) {
    if (Buffer.byteLength(chunk + char) > 45) {
      words.push(chunk);
      chunk = '';
    }
    chunk += char;
  }
  if (chunk) words.push(chunk);
  return words.map((w) => `=?UTF-8?B?${Buffer.from(w).toString('base64')}?=`).join('\r\n ');
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** RFC 5322 date in UTC, e.g. `Thu, 26 Nov 2026 00:47:55 +0000`. */
export function rfc5322Date(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return (
    `${DAYS[date.getUTCDay()]}, ${date.getUTCDate()} ${MONTHS[date.getUTCMonth()]} ${date.getUTCFullYear()} ` +
    `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`
  );
}

export type Event = 'start' | 'stop';

export type MailInput = {
  readonly recipients: readonly string[];
  readonly subject: string;
  readonly event: Event;
  readonly node: string;
  readonly resource: string;
  readonly date: Date;
};

/** The subject line heartbeat MailTo sends, so that users' mail filters keep working. */
export function subjectLine(input: MailInput): string {
  const when = input.date.toUTCString();
  const what = input.event === 'start' ? `Takeover in progress at ${when} on` : `Migrating resource away at ${when} from`;
  return headerText(`${input.subject} ${what} ${input.node}`);
}

/** The whole message as sendmail reads it on standard input. */
export function buildMessage(input: MailInput): string {
  const subject = subjectLine(input);
  const headers = [
    `To: ${input.recipients.join(', ')}`,
    `Subject: ${encodeHeader(subject)}`,
    `Date: ${rfc5322Date(input.date)}`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=UTF-8',
    'Content-Transfer-Encoding: 8bit',
    'Auto-Submitted: auto-generated',
    'X-Mailer: tsha MailTo',
  ];
  const body = [subject, '', 'Command line was:', `        ocf:tsha:MailTo ${input.event} (resource ${headerText(input.resource)})`];
  return `${headers.join('\n')}\n\n${body.join('\n')}\n`;
}
