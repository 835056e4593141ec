// SPDX-License-Identifier: GPL-2.0-or-later
// Agent start-up cost: installed ocf:tsha:MailTo against heartbeat's shell MailTo, and against a bare node.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { report, timeInterleaved } from './measure.js';

const runs = Number(process.env.RUNS ?? 20);
const rsctmp = await mkdtemp(path.join(os.tmpdir(), 'tsha-bench-'));
try {
  const env = { OCF_ROOT: '/usr/lib/ocf', OCF_RESOURCE_INSTANCE: 'bench', OCF_RESKEY_email: 'root', HA_RSCTMP: rsctmp, OCF_RESKEY_CRM_meta_interval: '10000' };
  const times = await timeInterleaved(
    [
      { label: 'node -e 0 (floor)', file: process.execPath, args: ['-e', '0'] },
      { label: 'tsha MailTo meta-data', file: '/usr/lib/ocf/resource.d/tsha/MailTo', args: ['meta-data'], env, expectRc: 0 },
      { label: 'heartbeat MailTo meta-data', file: '/usr/lib/ocf/resource.d/heartbeat/MailTo', args: ['meta-data'], env, expectRc: 0 },
      { label: 'tsha MailTo monitor', file: '/usr/lib/ocf/resource.d/tsha/MailTo', args: ['monitor'], env, expectRc: 7 },
      { label: 'heartbeat MailTo monitor', file: '/usr/lib/ocf/resource.d/heartbeat/MailTo', args: ['monitor'], env, expectRc: 7 },
    ],
    runs,
  );
  console.log(`agent start-up, ${runs} runs each, interleaved`);
  report(times, [
    ['tsha MailTo meta-data', 'heartbeat MailTo meta-data'],
    ['tsha MailTo monitor', 'heartbeat MailTo monitor'],
    ['tsha MailTo monitor', 'node -e 0 (floor)'],
  ]);
} finally {
  await rm(rsctmp, { recursive: true, force: true });
}
