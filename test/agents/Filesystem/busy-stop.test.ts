// SPDX-License-Identifier: GPL-2.0-or-later
// Stopping a busy filesystem: the processes that really use it die, the unmount succeeds; a process in a sibling
// directory sharing the prefix (/x/data2 vs /x/data) and one in another mount live on. force_unmount=false
// kills nothing and fails with a reason.
import { expect } from 'chai';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { createLoop, type LoopDevice } from '../../helpers/loop.js';
import { eventually, fsAgent, mountsUnder, removeScratch, scratchDir, startHolder, type Holder, expectRc } from './system.js';

// Maps a file, closes it and leaves the mount: only /proc/<pid>/maps tells it uses the filesystem.
const MMAP_HOLDER = [
  '-c',
  'import mmap, os, sys, time\n' +
    'f = open(sys.argv[1], "rb"); m = mmap.mmap(f.fileno(), 0, prot=mmap.PROT_READ); f.close(); os.chdir("/")\n' +
    'print(m[:1], flush=True); time.sleep(600)\n',
];

async function holdsMapping(pid: number, file: string): Promise<boolean> {
  const maps = await import('node:fs/promises').then((fs) => fs.readFile(`/proc/${pid}/maps`, 'utf8')).catch(() => '');
  return maps.includes(file);
}

describe('Filesystem busy stop (loop devices)', function () {
  this.timeout(120_000);
  let data: LoopDevice;
  let other: LoopDevice;
  let dir: string;
  let params: Record<string, string>;
  let otherDir: string;
  const holders: Holder[] = [];

  before(async () => {
    data = await createLoop({ fstype: 'xfs', sizeMiB: 300 });
    other = await createLoop({ fstype: 'ext4', sizeMiB: 64 });
    dir = await scratchDir();
    params = { device: data.device, directory: path.join(dir, 'data'), fstype: 'xfs' };
    otherDir = path.join(dir, 'other');
    await mkdir(otherDir);
    await mkdir(path.join(dir, 'data2')); // a sibling sharing the prefix, on the root filesystem
    await execa('mount', ['-t', 'ext4', other.device, otherDir]);
  });
  afterEach(async () => {
    for (const h of holders.splice(0)) await h.kill();
  });
  after(async () => {
    await removeScratch(dir);
    await data.dispose();
    await other.dispose();
  });

  async function startBusy(): Promise<{ cwd: Holder; open: Holder; mapped: Holder }> {
    const start = await fsAgent('start', params);
    expect(start.rc, start.stderr).to.equal(0);
    const mnt = params.directory ?? '';
    await mkdir(path.join(mnt, 'work'), { recursive: true });
    await writeFile(path.join(mnt, 'open.txt'), 'held open\n');
    await writeFile(path.join(mnt, 'mapped.bin'), Buffer.alloc(8192, 7));
    const cwd = await startHolder('sleep', ['600'], { cwd: path.join(mnt, 'work') });
    const open = await startHolder('sleep', ['600'], { stdinFile: path.join(mnt, 'open.txt') });
    const mapped = await startHolder('/usr/bin/python3', [...MMAP_HOLDER, path.join(mnt, 'mapped.bin')]);
    holders.push(cwd, open, mapped);
    expect(await eventually(() => holdsMapping(mapped.pid, 'mapped.bin')), 'python mapped the file').to.equal(true);
    return { cwd, open, mapped };
  }

  it('kills the processes with cwd, an open file and a mapping under the mount, and nothing else', async () => {
    const { cwd, open, mapped } = await startBusy();
    const sibling = await startHolder('sleep', ['600'], { cwd: path.join(dir, 'data2') });
    const elsewhere = await startHolder('sleep', ['600'], { cwd: otherDir });
    holders.push(sibling, elsewhere);

    const stop = await fsAgent('stop', params);
    console.log(`      busy stop (3 holders): ${stop.ms} ms`);
    expect(stop.rc, stop.stderr).to.equal(0);
    expect(await mountsUnder(params.directory ?? '')).to.deep.equal([]);
    expect(await eventually(() => cwd.exited() && open.exited() && mapped.exited())).to.equal(true);
    expect(sibling.exited(), 'process in the sibling /data2').to.equal(false);
    expect(elsewhere.exited(), 'process in another mount').to.equal(false);
    expect((await mountsUnder(otherDir)).map((m) => m.source)).to.deep.equal([other.device]);
  });

  it('stops after kill_signals when term_signals are ignored', async () => {
    expectRc(await fsAgent('start', params), 0);
    // sh ignores TERM via trap; its cwd is in the mount
    const stubborn = await startHolder('sh', ['-c', 'trap "" TERM; while :; do sleep 1; done'], { cwd: params.directory ?? '' });
    holders.push(stubborn);
    const stop = await fsAgent('stop', { ...params, signal_delay: '1' });
    console.log(`      busy stop (TERM ignored): ${stop.ms} ms`);
    expect(stop.rc, stop.stderr).to.equal(0);
    expect(await mountsUnder(params.directory ?? '')).to.deep.equal([]);
    expect(await eventually(() => stubborn.exited())).to.equal(true);
  });

  it('unmounts a submount first', async () => {
    expectRc(await fsAgent('start', params), 0);
    const sub = path.join(params.directory ?? '', 'sub');
    await mkdir(sub, { recursive: true });
    await execa('mount', ['-t', 'tmpfs', 'tsha-sub', sub]);
    const user = await startHolder('sleep', ['600'], { cwd: sub });
    holders.push(user);
    const stop = await fsAgent('stop', params);
    expect(stop.rc, stop.stderr).to.equal(0);
    expect(await mountsUnder(params.directory ?? '')).to.deep.equal([]);
    expect(await eventually(() => user.exited())).to.equal(true);
  });

  it('with force_unmount=false fails with a reason, kills nothing and leaves the filesystem mounted', async () => {
    const { cwd, open, mapped } = await startBusy();
    const stop = await fsAgent('stop', { ...params, force_unmount: 'false' }, { meta: { timeout: '10000' } });
    expect(stop.rc).to.equal(1);
    expect(stop.reason).to.match(/busy/).and.match(/force_unmount=false/);
    expect([cwd, open, mapped].map((h) => h.exited())).to.deep.equal([false, false, false]);
    expect((await mountsUnder(params.directory ?? '')).map((m) => m.source)).to.deep.equal([data.device]);
    for (const h of holders.splice(0)) await h.kill();
    expectRc(await fsAgent('stop', params), 0);
  });

  it('unmounts the copies left in other mount namespaces, killing only their users there', async () => {
    expectRc(await fsAgent('start', params), 0);
    const mnt = params.directory ?? '';
    await mkdir(path.join(mnt, 'work'), { recursive: true });
    // unshare copies the mount table, our mount included, into a private namespace
    const idle = await startHolder('unshare', ['--mount', '--propagation', 'private', 'sleep', '600']);
    const user = await startHolder('unshare', ['--mount', '--propagation', 'private', 'sleep', '600'], { cwd: path.join(mnt, 'work') });
    holders.push(idle, user);
    const copyIn = async (pid: number) => (await readFile(`/proc/${pid}/mountinfo`, 'utf8').catch(() => '')).includes(` ${mnt} `);
    expect(await eventually(async () => (await copyIn(idle.pid)) && (await copyIn(user.pid))), 'the namespaces hold a copy').to.equal(true);

    const stop = await fsAgent('stop', params);
    console.log(`      stop with copies in 2 other namespaces: ${stop.ms} ms`);
    expectRc(stop, 0);
    expect(await copyIn(idle.pid), 'copy left in the idle namespace').to.equal(false);
    expect(idle.exited(), 'a process of that namespace not using the filesystem').to.equal(false);
    expect(await eventually(() => user.exited()), 'the process using the copy').to.equal(true);
    const repair = await execa('xfs_repair', ['-n', data.device], { reject: false });
    expect(repair.exitCode, repair.stderr).to.equal(0);
  });
});
