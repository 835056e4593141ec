// SPDX-License-Identifier: GPL-2.0-or-later
// `make demo`: the installed agents at work. For now ocf:tsha:MailTo against the local postfix; the two-node
// failover cluster of the seed takes its place when the lab and the other agents land.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { ensurePostfix, header, waitForMail } from './mta.js';

const AGENT = '/usr/lib/ocf/resource.d/tsha/MailTo';

async function main(): Promise<number> {
  await ensurePostfix();
  const rsctmp = await mkdtemp(path.join(os.tmpdir(), 'tsha-demo-'));
  const subject = `FailOver_Home demo-${randomBytes(3).toString('hex')}`;
  let verdict = true;
  try {
    const env = { HA_RSCTMP: rsctmp };
    const tsha = async (action: string) => {
      const result = await execa('tsha', ['run', 'MailTo', action, '--instance', 'ClusterMailTo', '-p', 'email=root', '-p', `subject=${subject}`], { env, reject: false });
      console.log(`$ tsha run MailTo ${action} -p email=root -p subject="${subject}"\n  ${result.stdout.trim()}`);
      return result.exitCode;
    };
    console.log(`ocf:tsha:MailTo installed at ${AGENT}\n`);
    const codes = [await tsha('validate-all'), await tsha('monitor'), await tsha('start'), await tsha('monitor'), await tsha('stop'), await tsha('monitor')];
    verdict &&= JSON.stringify(codes) === JSON.stringify([0, 7, 0, 0, 0, 7]);
    const mails = await waitForMail(subject, 2);
    console.log(`\nmails in /var/mail/root with subject "${subject} ...":`);
    for (const mail of mails) console.log(`  Subject: ${header(mail, 'Subject')}`);
    verdict &&= mails.length === 2;
    const tester = await execa('ocf-tester', ['-n', 'ClusterMailTo', '-o', 'email=root', AGENT], { env, reject: false });
    console.log(`\n$ ocf-tester -n ClusterMailTo -o email=root ${AGENT}\n  ${tester.stdout.split('\n').at(-1)}`);
    verdict &&= tester.exitCode === 0;
  } finally {
    await rm(rsctmp, { recursive: true, force: true });
  }
  console.log(verdict ? '\nverdict: OK, MailTo started, stopped and mailed as expected' : '\nverdict: FAILED');
  return verdict ? 0 : 1;
}

process.exitCode = await main();
