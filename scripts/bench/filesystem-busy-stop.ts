// SPDX-License-Identifier: GPL-2.0-or-later
// The stop of a busy mount (holders: a working directory, an open file, a memory map) by ocf:tsha:Filesystem and
// by ocf:heartbeat:Filesystem on one xfs loop device: how long each takes and whether the holders ended and the
// mount went away (agents.ts measures the idle actions). Needs root and the installed agents.
import path from 'node:path';
import { mkdir, writeFile } from 'node:fs/promises';
import { execa } from 'execa';
import { spawnAgent, OCF_DIR } from '../harness/agent.js';
import { heartbeatEnv, HEARTBEAT, mountsUnder, removeScratch, scratchDir, startHolder, type Holder } from '../harness/filesystem.js';
import { createLoop } from '../harness/loop.js';

const loop = await createLoop({ fstype: 'xfs', sizeMiB: 300 });
const dir = await scratchDir();
const holders: Holder[] = [];
try {
  const mnt = path.join(dir, 'data');
  const params = { device: loop.device, directory: mnt, fstype: 'xfs' };
  // heartbeat gives 5 on every action without modprobe (minimal containers): a stand-in that exits 0
  const hbEnv = await heartbeatEnv(dir);
  for (const [label, file, extra] of [
    ['tsha', `${OCF_DIR}/Filesystem`, {}],
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
