// SPDX-License-Identifier: GPL-2.0-or-later
// Same parameters to heartbeat's Filesystem and to ours: the same mount results (source, mount point, type,
// options as mountinfo shows them).
import { expect } from 'chai';
import path from 'node:path';
import { createLoop, type LoopDevice } from '../../helpers/loop.js';
import { fsAgent, heartbeat, heartbeatEnv, mountsUnder, removeScratch, scratchDir, expectRc } from './system.js';
import type { MountEntry } from '../../../agents/Filesystem/mountinfo.js';

function shape(entry: MountEntry | undefined) {
  return entry && { source: entry.source, mountPoint: entry.mountPoint, fstype: entry.fstype, mountOptions: entry.mountOptions, superOptions: entry.superOptions, root: entry.root };
}

const CASES: { fstype: string; options?: string }[] = [
  { fstype: 'xfs' },
  { fstype: 'xfs', options: 'noatime,nodiratime' },
  { fstype: 'ext4' },
  { fstype: 'ext4', options: 'ro,noexec' },
];

describe('Filesystem differential against heartbeat Filesystem', function () {
  this.timeout(120_000);
  const loops: Record<string, LoopDevice> = {};
  let dir: string;
  let env: Record<string, string>;

  before(async () => {
    loops.xfs = await createLoop({ fstype: 'xfs', sizeMiB: 300 });
    loops.ext4 = await createLoop({ fstype: 'ext4', sizeMiB: 64 });
    dir = await scratchDir();
    env = await heartbeatEnv(dir);
  });
  after(async () => {
    await removeScratch(dir);
    for (const loop of Object.values(loops)) await loop.dispose();
  });

  for (const c of CASES) {
    it(`mounts ${c.fstype}${c.options ? ` -o ${c.options}` : ''} exactly as heartbeat does`, async () => {
      const loop = loops[c.fstype];
      if (!loop) throw new Error(`no ${c.fstype} loop device`);
      const mnt = path.join(dir, `data-${c.fstype}`);
      const params = { device: loop.device, directory: mnt, fstype: c.fstype, ...(c.options ? { options: c.options } : {}) };

      const hbStart = await heartbeat('start', params, { env });
      expect(hbStart.rc, hbStart.stderr).to.equal(0);
      const theirs = await mountsUnder(mnt);
      // each agent sees the other's mount as its own
      expectRc(await fsAgent('monitor', params, { meta: { interval: '20000' } }), 0);
      expectRc(await heartbeat('stop', params, { env }), 0);

      const start = await fsAgent('start', params);
      expect(start.rc, start.stderr).to.equal(0);
      const ours = await mountsUnder(mnt);
      expectRc(await heartbeat('monitor', params, { env, meta: { interval: '20000' } }), 0);
      expectRc(await fsAgent('stop', params), 0);

      console.log(`      heartbeat: ${JSON.stringify(shape(theirs[0]))}`);
      expect(ours.map(shape)).to.deep.equal(theirs.map(shape));
      expect(ours).to.have.length(1);
      expect(await mountsUnder(mnt)).to.deep.equal([]);
    });
  }
});
