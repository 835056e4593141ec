// SPDX-License-Identifier: GPL-2.0-or-later
// What start, stop and probes answer when the node is not as expected: already mounted, something else mounted,
// a submount, a missing device, an unknown type, a bad directory, a local filesystem as a clone, a hung mount.
import { expect } from 'chai';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { randomInt } from 'node:crypto';
import { execa } from 'execa';
import { createLoop, type LoopDevice } from '../../helpers/loop.js';
import { expectRc, fsAgent, mountsUnder, processesWith, removeScratch, scratchDir, startHolder } from './system.js';

const RECURRING = { interval: '20000' };

describe('Filesystem edge cases (loop devices)', function () {
  this.timeout(120_000);
  let loop: LoopDevice;
  let spare: LoopDevice;
  let dir: string;
  let params: Record<string, string>;
  let mnt: string;

  before(async () => {
    loop = await createLoop({ fstype: 'xfs', sizeMiB: 300 });
    spare = await createLoop({ fstype: 'ext4', sizeMiB: 64 });
    dir = await scratchDir();
    mnt = path.join(dir, 'data');
    params = { device: loop.device, directory: mnt, fstype: 'xfs' };
  });
  afterEach(async () => {
    // each case starts from nothing mounted in the scratch directory
    for (const m of (await mountsUnder(dir)).reverse()) await execa('umount', [m.mountPoint], { reject: false });
  });
  after(async () => {
    await removeScratch(dir);
    await loop.dispose();
    await spare.dispose();
  });

  it('start on an already mounted device returns 0 and mounts nothing more', async () => {
    await mkdir(mnt, { recursive: true });
    await execa('mount', ['-t', 'xfs', loop.device, mnt]);
    const run = await fsAgent('start', params);
    expect(run.rc, run.stderr).to.equal(0);
    expect(await mountsUnder(mnt)).to.have.length(1);
  });

  it('start while the device is mounted elsewhere mounts it here too; stop leaves the other mount', async () => {
    const elsewhere = path.join(dir, 'elsewhere');
    await mkdir(elsewhere, { recursive: true });
    await execa('mount', ['-t', 'xfs', loop.device, elsewhere]);
    expectRc(await fsAgent('start', params), 0);
    expect((await mountsUnder(mnt)).map((m) => m.source)).to.deep.equal([loop.device]);
    expectRc(await fsAgent('stop', params), 0);
    expect(await mountsUnder(mnt)).to.deep.equal([]);
    expect((await mountsUnder(elsewhere)).map((m) => m.source)).to.deep.equal([loop.device]);
  });

  it('another filesystem on the directory: start 6, recurring monitor 1, probe 7, stop 0 without touching it', async () => {
    await mkdir(mnt, { recursive: true });
    await execa('mount', ['-t', 'ext4', spare.device, mnt]);
    const start = await fsAgent('start', params);
    expect(start.rc).to.equal(6);
    expect(start.reason).to.match(/already mounted/);
    const mon = await fsAgent('monitor', params, { meta: RECURRING });
    expect(mon.rc).to.equal(1);
    expect(mon.reason).to.include(spare.device);
    expectRc(await fsAgent('monitor', params), 7);
    expectRc(await fsAgent('stop', params), 0);
    expect((await mountsUnder(mnt)).map((m) => m.source)).to.deep.equal([spare.device]);
  });

  it('a mount below the directory: start 6', async () => {
    const sub = path.join(mnt, 'sub');
    await mkdir(sub, { recursive: true });
    await execa('mount', ['-t', 'tmpfs', 'tsha-sub', sub]);
    const start = await fsAgent('start', params);
    expect(start.rc).to.equal(6);
    expect(start.reason).to.match(/under it/);
    expect((await mountsUnder(mnt)).map((m) => m.mountPoint)).to.deep.equal([sub]);
  });

  it('a missing device: start 5, probe 7, recurring monitor 7, stop 0', async () => {
    const missing = { ...params, device: path.join(dir, 'no-such-disk') };
    const start = await fsAgent('start', missing);
    expect(start.rc).to.equal(5);
    expect(start.reason).to.match(/does not exist/);
    expectRc(await fsAgent('monitor', missing), 7);
    expectRc(await fsAgent('monitor', missing, { meta: RECURRING }), 7);
    expectRc(await fsAgent('stop', missing), 0);
    expectRc(await fsAgent('start', { ...params, device: 'UUID=00000000-0000-4000-8000-000000000000' }), 5);
  });

  it('a device held exclusively for a moment (udev probing after a promotion): start retries the busy mount', async () => {
    // python opens the device O_EXCL, as blkid/udev does, and lets go after 1.5 s
    const holder = await startHolder('/usr/bin/python3', ['-c', 'import os, sys, time\nfd = os.open(sys.argv[1], os.O_RDONLY | os.O_EXCL)\nprint("held", flush=True)\ntime.sleep(1.5)\n', loop.device]);
    try {
      await new Promise((resolve) => setTimeout(resolve, 200));
      const start = await fsAgent('start', params);
      console.log(`      start on a held device: rc ${start.rc} after ${start.ms} ms`);
      expectRc(start, 0);
      expect(start.stderr, 'the first mount found the device busy and was retried').to.include('mount busy, retrying');
      expect((await mountsUnder(mnt)).map((m) => m.source)).to.deep.equal([loop.device]);
      expectRc(await fsAgent('stop', params), 0);
    } finally {
      await holder.kill();
    }
  });

  it('an fstype the kernel does not know: start 5, probe 7, validate-all level 10 5', async () => {
    const unknown = { ...params, fstype: 'tshafs' };
    const start = await fsAgent('start', unknown);
    expect(start.rc).to.equal(5);
    expect(start.reason).to.match(/not supported by the kernel/);
    expectRc(await fsAgent('monitor', unknown), 7);
    expectRc(await fsAgent('validate-all', unknown, { env: { OCF_CHECK_LEVEL: '10' } }), 5);
    expect(await mountsUnder(mnt)).to.deep.equal([]);
  });

  it('a relative directory: start and validate-all 6, probe 7, stop 0', async () => {
    const relative = { ...params, directory: 'data' };
    for (const action of ['start', 'validate-all']) {
      const run = await fsAgent(action, relative);
      expect(run.rc, action).to.equal(6);
      expect(run.reason).to.match(/absolute/);
    }
    expectRc(await fsAgent('monitor', relative), 7);
    expectRc(await fsAgent('monitor', relative, { meta: RECURRING }), 1);
    expectRc(await fsAgent('stop', relative), 0);
  });

  it('xfs as a clone: start 6 unless force_clones', async () => {
    const clone = { clone_max: '2', clone_node_max: '1', clone: '0' };
    const start = await fsAgent('start', params, { meta: clone });
    expect(start.rc).to.equal(6);
    expect(start.reason).to.match(/clone/);
    expect(await mountsUnder(mnt)).to.deep.equal([]);
    expectRc(await fsAgent('start', { ...params, force_clones: 'true' }, { meta: clone }), 0);
    expectRc(await fsAgent('stop', { ...params, force_clones: 'true' }, { meta: clone }), 0);
  });

  it('an unsupported depth: validate-all 6, monitor checks as depth 0', async () => {
    expectRc(await fsAgent('validate-all', params, { env: { OCF_CHECK_LEVEL: '15' } }), 6);
    expectRc(await fsAgent('start', params), 0);
    expectRc(await fsAgent('monitor', params, { env: { OCF_CHECK_LEVEL: '15' }, meta: RECURRING }), 0);
    expectRc(await fsAgent('stop', params), 0);
  });

  it('ocf-tester\'s "binaries missing" mode: probes and stop need no helper program', async () => {
    const env = { OCF_TESTER_FAIL_HAVE_BINARY: '1' };
    expectRc(await fsAgent('monitor', params, { env }), 7);
    expectRc(await fsAgent('stop', params, { env }), 0);
    expectRc(await fsAgent('start', params), 0);
    expectRc(await fsAgent('monitor', params, { env }), 0);
    expectRc(await fsAgent('stop', params, { env }), 0);
    expect(await mountsUnder(mnt)).to.deep.equal([]);
  });

  for (const hung of ['mount', 'umount']) {
    it(`a hung ${hung}: the agent returns before its timeout and leaves no process behind`, async () => {
      const bin = path.join(dir, `hung-${hung}`);
      await mkdir(bin, { recursive: true });
      // A test double that never returns, with a child of its own; the number tags both for the search below.
      const marker = `${4000 + randomInt(1000)}.${randomInt(1_000_000)}`;
      await writeFile(path.join(bin, hung), `#!/bin/sh\n# test double: a ${hung} that hangs\nsleep ${marker} &\nexec sleep ${marker}\n`);
      await chmod(path.join(bin, hung), 0o755);
      if (hung === 'umount') expectRc(await fsAgent('start', params), 0);
      const action = hung === 'mount' ? 'start' : 'stop';
      const timeout = 4000;
      const run = await fsAgent(action, params, { env: { PATH: `${bin}:${process.env.PATH ?? '/usr/bin:/bin'}` }, meta: { timeout: String(timeout) } });
      console.log(`      ${action} with a hung ${hung}: rc ${run.rc} after ${run.ms} ms (timeout ${timeout} ms)`);
      expect(run.rc).to.equal(1);
      expect(run.ms).to.be.below(timeout);
      expect(run.reason).to.match(/timed out|in time/);
      expect(await processesWith(`sleep ${marker}`)).to.deep.equal([]);
      if (hung === 'umount') expectRc(await fsAgent('stop', params), 0);
    });
  }
});
