// SPDX-License-Identifier: GPL-2.0-or-later
// start / monitor (depths 0, 10, 20) / stop on real loop devices with xfs and ext4: the data survives and the
// filesystem is clean after every stop.
import { expect } from 'chai';
import { mkdir, readFile, readdir, stat, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { createLoop, type LoopDevice } from '../../helpers/loop.js';
import { eventually, expectRc, fsAgent, mountsUnder, removeScratch, scratchDir, sha256, startHolder } from './system.js';

async function checkClean(loop: LoopDevice): Promise<void> {
  const [cmd, args] = loop.fstype === 'xfs' ? ['xfs_repair', ['-n', loop.device]] : ['fsck', ['-n', '-f', loop.device]];
  const result = await execa(cmd, args, { reject: false });
  expect(result.exitCode, `${cmd} ${args.join(' ')}: ${result.stdout}\n${result.stderr}`).to.equal(0);
}

for (const fstype of ['xfs', 'ext4']) {
  describe(`Filesystem cycle on ${fstype} (loop device)`, function () {
    this.timeout(120_000);
    let loop: LoopDevice;
    let dir: string;
    let params: Record<string, string>;

    before(async () => {
      loop = await createLoop({ fstype, sizeMiB: 300, label: `tsha${fstype}` });
      dir = await scratchDir();
      params = { device: loop.device, directory: path.join(dir, 'data'), fstype };
    });
    after(async () => {
      await removeScratch(dir);
      await loop.dispose();
    });

    it('validate-all passes at level 0 with no PATH, printing nothing', async () => {
      const run = await fsAgent('validate-all', params, { env: { PATH: '' } });
      expect(run.rc, run.stderr).to.equal(0);
      expect(run.stderr).to.equal('');
      const deep = await fsAgent('validate-all', params, { env: { OCF_CHECK_LEVEL: '10' } });
      expect(deep.rc, deep.stderr).to.equal(0);
    });

    it('is not running before start (probe and recurring monitor)', async () => {
      expectRc(await fsAgent('monitor', params), 7);
      expectRc(await fsAgent('monitor', params, { meta: { interval: '20000' } }), 7);
    });

    it('starts, creating the mount point, and monitors at depths 0, 10 and 20', async () => {
      const run = await fsAgent('start', params);
      expect(run.rc, run.stderr).to.equal(0);
      const mounts = await mountsUnder(params.directory ?? '');
      expect(mounts.map((m) => [m.source, m.fstype])).to.deep.equal([[loop.device, fstype]]);
      for (const depth of ['0', '10', '20']) {
        const mon = await fsAgent('monitor', params, { env: { OCF_CHECK_LEVEL: depth }, meta: { interval: '20000' } });
        expect(mon.rc, `depth ${depth}: ${mon.stderr}`).to.equal(0);
        console.log(`      monitor depth ${depth}: ${mon.ms} ms`);
      }
      const status = await readdir(path.join(params.directory ?? '', '.Filesystem_status'));
      expect(status).to.have.length(1);
      expect((await stat(path.join(params.directory ?? '', '.Filesystem_status', status[0] ?? ''))).size).to.equal(4096);
    });

    it('keeps a file intact across stop and start, and leaves a clean filesystem', async () => {
      const file = path.join(params.directory ?? '', 'payload.bin');
      await execa('dd', ['if=/dev/urandom', `of=${file}`, 'bs=1M', 'count=8', 'status=none']);
      const before = await sha256(file);
      const stopRun = await fsAgent('stop', params);
      expect(stopRun.rc, stopRun.stderr).to.equal(0);
      expect(await mountsUnder(params.directory ?? '')).to.deep.equal([]);
      expectRc(await fsAgent('monitor', params), 7);
      await checkClean(loop);

      expectRc(await fsAgent('start', params), 0);
      expect(await sha256(file)).to.equal(before);
      expectRc(await fsAgent('stop', params), 0);
      await checkClean(loop);
    });

    it('is idempotent: start twice, stop twice', async () => {
      expectRc(await fsAgent('start', params), 0);
      expectRc(await fsAgent('start', params), 0);
      expect(await mountsUnder(params.directory ?? '')).to.have.length(1);
      expectRc(await fsAgent('stop', params), 0);
      expectRc(await fsAgent('stop', params), 0);
      expect(await mountsUnder(params.directory ?? '')).to.deep.equal([]);
    });

    it('finds the device by UUID=, LABEL= and through a symlink', async () => {
      const link = path.join(dir, 'disk-link');
      await symlink(loop.device, link);
      for (const device of [`UUID=${loop.uuid}`, `-L tsha${fstype}`, link]) {
        const p = { ...params, device };
        const run = await fsAgent('start', p);
        expect(run.rc, `${device}: ${run.stderr}`).to.equal(0);
        expect((await mountsUnder(params.directory ?? '')).map((m) => m.source)).to.deep.equal([loop.device]);
        // the plain device path sees the same mount, whatever name started it
        expectRc(await fsAgent('monitor', params, { meta: { interval: '20000' } }), 0);
        expectRc(await fsAgent('monitor', p, { meta: { interval: '20000' } }), 0);
        expectRc(await fsAgent('stop', p), 0);
        expect(await mountsUnder(params.directory ?? '')).to.deep.equal([]);
      }
    });

    it('mounts with options and a mount point given with a trailing slash', async () => {
      const p = { ...params, directory: `${params.directory}/`, options: 'noatime,ro' };
      expectRc(await fsAgent('start', p), 0);
      const [mount] = await mountsUnder(params.directory ?? '');
      expect(mount?.mountOptions.split(',')).to.include.members(['ro', 'noatime']);
      expectRc(await fsAgent('monitor', p, { meta: { interval: '20000' } }), 0);
      expectRc(await fsAgent('stop', p), 0);
      await writeFile(path.join(dir, 'marker'), 'x'); // the scratch dir stays writable: nothing left mounted ro on it
      expect(await mountsUnder(params.directory ?? '')).to.deep.equal([]);
    });
  });
}

describe('Filesystem without a block device: tmpfs, bind mount, symlinked mount point', function () {
  this.timeout(60_000);
  let dir: string;

  before(async () => {
    dir = await scratchDir();
  });
  after(async () => {
    await removeScratch(dir);
  });

  it('mounts and unmounts a tmpfs with options', async () => {
    const params = { device: 'tsha-scratch', directory: path.join(dir, 'tmp'), fstype: 'tmpfs', options: 'size=8m,mode=0700' };
    expectRc(await fsAgent('start', params), 0);
    const [mount] = await mountsUnder(params.directory);
    expect([mount?.source, mount?.fstype]).to.deep.equal(['tsha-scratch', 'tmpfs']);
    expect(mount?.superOptions).to.include('size=8192k');
    for (const depth of ['0', '10', '20']) expectRc(await fsAgent('monitor', params, { env: { OCF_CHECK_LEVEL: depth }, meta: { interval: '20000' } }), 0);
    expectRc(await fsAgent('stop', params), 0);
    expect(await mountsUnder(params.directory)).to.deep.equal([]);
    expectRc(await fsAgent('monitor', params), 7);
  });

  it('bind-mounts a directory (fstype bind, and options=bind with fstype none) and kills only its users', async () => {
    const source = path.join(dir, 'source');
    await mkdir(source, { recursive: true });
    await writeFile(path.join(source, 'hello'), 'hi\n');
    const variants: Record<string, string>[] = [{ fstype: 'bind' }, { fstype: 'none', options: 'bind' }];
    for (const extra of variants) {
      const bound = path.join(dir, 'bound');
      const params: Record<string, string> = { device: source, directory: bound, ...extra };
      expectRc(await fsAgent('start', params), 0);
      expect(await readFile(path.join(bound, 'hello'), 'utf8')).to.equal('hi\n');
      expectRc(await fsAgent('monitor', params, { meta: { interval: '20000' } }), 0);
      // a user of the source directory (same filesystem, not the bind mount) must survive the stop
      const inSource = await startHolder('sleep', ['600'], { cwd: source });
      const inBind = await startHolder('sleep', ['600'], { cwd: bound });
      try {
        expectRc(await fsAgent('stop', params), 0);
        expect(await mountsUnder(bound)).to.deep.equal([]);
        expect(await eventually(() => inBind.exited())).to.equal(true);
        expect(inSource.exited()).to.equal(false);
      } finally {
        await inSource.kill();
        await inBind.kill();
      }
    }
  });

  it('follows a symlinked mount point', async () => {
    const real = path.join(dir, 'real-mnt');
    await mkdir(real, { recursive: true });
    await symlink(real, path.join(dir, 'link-mnt'));
    const params = { device: 'tsha-link', directory: path.join(dir, 'link-mnt'), fstype: 'tmpfs' };
    expectRc(await fsAgent('start', params), 0);
    expect((await mountsUnder(real)).map((m) => m.source)).to.deep.equal(['tsha-link']);
    expectRc(await fsAgent('monitor', params, { meta: { interval: '20000' } }), 0);
    expectRc(await fsAgent('start', params), 0);
    expectRc(await fsAgent('stop', params), 0);
    expect(await mountsUnder(real)).to.deep.equal([]);
  });
});
