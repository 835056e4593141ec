// SPDX-License-Identifier: GPL-2.0-or-later
// ocf:tsha:Filesystem against ocf:heartbeat:Filesystem on one xfs loop device, side by side in one run: the
// depth-0 monitor of a mounted filesystem (median of RUNS, default 20, interleaved), then the stop of a busy
// mount (holders: a working directory, an open file, a memory map) by each. Needs root and the installed agents.
import path from 'node:path';
import { mkdir, writeFile } from 'node:fs/promises';
import { execa } from 'execa';
import { spawnAgent, OCF_DIR } from '../harness/agent.js';
import { heartbeatEnv, HEARTBEAT, mountsUnder, removeScratch, scratchDir, startHolder, type Holder } from '../harness/filesystem.js';
import { createLoop } from '../harness/loop.js';
import { report, timeInterleaved } from './measure.js';

const runs = Number(process.env.RUNS ?? 20);
const TSHA = `${OCF_DIR}/Filesystem`;

const loop = await createLoop({ fstype: 'xfs', sizeMiB: 300 });
const dir = await scratchDir();
const holders: Holder[] = [];
try {
  const mnt = path.join(dir, 'data');
  const params = { device: loop.device, directory: mnt, fstype: 'xfs' };
  // heartbeat gives 5 on every action without modprobe (minimal containers): a stand-in that exits 0
  const hbEnv = await heartbeatEnv(dir);
  const env = {
    OCF_ROOT: '/usr/lib/ocf',
    OCF_RESOURCE_INSTANCE: 'bench',
    OCF_RESKEY_device: params.device,
    OCF_RESKEY_directory: params.directory,
    OCF_RESKEY_fstype: params.fstype,
    OCF_RESKEY_CRM_meta_interval: '20000',
    OCF_RESKEY_CRM_meta_timeout: '40000',
    ...hbEnv,
  };
  const started = await spawnAgent('Filesystem', 'start', { path: TSHA, params });
  if (started.rc !== 0) throw new Error(`start failed: ${started.stderr}`);
  const times = await timeInterleaved(
    [
      { label: 'node -e 0 (floor)', file: process.execPath, args: ['-e', '0'] },
      { label: 'tsha Filesystem monitor', file: TSHA, args: ['monitor'], env, expectRc: 0 },
      { label: 'heartbeat Filesystem monitor', file: HEARTBEAT, args: ['monitor'], env, expectRc: 0 },
    ],
    runs,
  );
  console.log(`Filesystem monitor (depth 0, xfs loop device mounted), ${runs} runs each, interleaved`);
  report(times, [['tsha Filesystem monitor', 'heartbeat Filesystem monitor']]);

  for (const [label, file, extra] of [
    ['tsha', TSHA, {}],
    ['heartbeat', HEARTBEAT, hbEnv],
  ] as const) {
    const start = await spawnAgent('Filesystem', 'start', { path: file, params, env: extra });
    if (start.rc !== 0) throw new Error(`${label} start failed: ${start.stderr}`);
    await mkdir(path.join(mnt, 'work'), { recursive: true });
    await writeFile(path.join(mnt, 'open.txt'), 'x');
    await writeFile(path.join(mnt, 'mapped.bin'), Buffer.alloc(8192, 1));
    holders.push(
      await startHolder('sleep', ['600'], { cwd: path.join(mnt, 'work') }),
      await startHolder('sleep', ['600'], { stdinFile: path.join(mnt, 'open.txt') }),
      await startHolder('/usr/bin/python3', ['-c', 'import mmap,sys,time\nf=open(sys.argv[1],"rb");m=mmap.mmap(f.fileno(),0,prot=mmap.PROT_READ);f.close();time.sleep(600)', path.join(mnt, 'mapped.bin')]),
    );
    await new Promise((resolve) => setTimeout(resolve, 300)); // python has mapped the file by then
    const stop = await spawnAgent('Filesystem', 'stop', { path: file, params, env: extra });
    const left = await mountsUnder(mnt);
    const killed = holders.filter((h) => h.exited()).length;
    console.log(`busy stop (cwd + open file + mmap) by ${label}: ${stop.ms} ms, rc ${stop.rc}, ${killed}/3 holders ended${left.length ? ', STILL MOUNTED' : ''}`);
    for (const h of holders.splice(0)) await h.kill();
    if (left.length) await execa('umount', [mnt], { reject: false });
  }
} finally {
  for (const h of holders) await h.kill();
  await removeScratch(dir);
  await loop.dispose();
}
