// SPDX-License-Identifier: GPL-2.0-or-later
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { createDeadline } from '../../lib/deadline.js';
import { OcfError } from '../../lib/ocf/errors.js';
import { lockInstance, lockInstanceIfFree, processStart, readState, removeState, stateDir, stateFileName, writeState } from '../../lib/state.js';

describe('lib/state (state files)', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'tsha-state-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('lives in HA_RSCTMP, else /run/resource-agents', () => {
    expect(stateDir({ HA_RSCTMP: '/x' })).to.equal('/x');
    expect(stateDir({})).to.equal('/run/resource-agents');
  });

  it('names files safely from agent and instance', () => {
    expect(stateFileName('MailTo', 'mail1')).to.equal('MailTo_mail1');
    expect(stateFileName('MailTo', '../../etc/passwd')).to.equal('MailTo_.._.._etc_passwd');
  });

  it('writes atomically with mode 0600, creating the folder, and reads back', async () => {
    const sub = path.join(dir, 'rsc');
    await writeState(sub, 'a', 'one');
    await writeState(sub, 'a', 'two');
    expect(await readState(sub, 'a')).to.equal('two');
    expect((await stat(path.join(sub, 'a'))).mode & 0o777).to.equal(0o600);
    expect(await readdir(sub)).to.deep.equal(['a']); // no temporary file left
    await removeState(sub, 'a');
    expect(await readState(sub, 'a')).to.equal(undefined);
  });

  it('never follows a symlink, neither reading nor writing', async () => {
    const victim = path.join(dir, 'victim');
    await writeFile(victim, 'precious');
    await symlink(victim, path.join(dir, 'evil'));
    expect(await readState(dir, 'evil')).to.equal(undefined);
    await writeState(dir, 'evil', 'overwritten?');
    expect(await readFile(victim, 'utf8')).to.equal('precious');
    expect(await readState(dir, 'evil')).to.equal('overwritten?');
  });

  describe('lockInstance (one action at a time per resource)', () => {
    const deadline = (ms: number) => createDeadline(ms, Date.now());

    it('makes a second action wait until the first releases, then lets it in; the lock file goes with the last release', async () => {
      const order: string[] = [];
      const releaseFirst = await lockInstance(dir, 'IPaddr2_vip', deadline(5000));
      const second = lockInstance(dir, 'IPaddr2_vip', deadline(5000)).then((release) => (order.push('second in'), release));
      await new Promise((resolve) => setTimeout(resolve, 150));
      order.push('first out');
      await releaseFirst();
      await (await second)();
      expect(order).to.deep.equal(['first out', 'second in']);
      expect(await readdir(dir)).to.deep.equal([]);
    });

    it('fails (1) when the holder keeps it past the deadline', async () => {
      const release = await lockInstance(dir, 'IPaddr2_vip', deadline(5000));
      const error = await lockInstance(dir, 'IPaddr2_vip', deadline(1000)).then(
        () => undefined,
        (e: unknown) => e,
      );
      await release();
      expect(error).to.be.instanceOf(OcfError);
      expect((error as OcfError).code).to.equal(1);
      expect((error as OcfError).reason).to.match(/another action of this resource is still running \(pid \d+\)/);
    });

    it('takes over the lock of a holder that is gone (killed: its pid no longer names the same process)', async () => {
      await writeFile(path.join(dir, '.IPaddr2_vip.lock'), `${process.pid} 1\n`, { mode: 0o600 });
      const release = await lockInstance(dir, 'IPaddr2_vip', deadline(1000));
      await release();
      expect(await readdir(dir)).to.deep.equal([]);
    });

    it('a check that yields takes the lock only when it is free', async () => {
      const release = await lockInstance(dir, 'drbd_ClusterDrbd', deadline(1000));
      expect(lockInstanceIfFree(dir, 'drbd_ClusterDrbd')).to.equal(undefined);
      await release();
      const yielding = lockInstanceIfFree(dir, 'drbd_ClusterDrbd');
      expect(yielding).to.be.a('function');
      expect(await readFile(path.join(dir, '.drbd_ClusterDrbd.lock'), 'utf8')).to.match(/^\d+ \d+ yields\n$/);
      await yielding!();
      expect(await readdir(dir)).to.deep.equal([]);
    });

    it("an action ends a holder that yields with SIGTERM and takes the lock; it never signals a holder that does not yield", async () => {
      // the holders are other processes: one marked as yielding, one not
      const holder = (mark: string) => {
        const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
        const started = processStart(child.pid!);
        return { child, line: `${child.pid} ${started}${mark}\n`, exited: new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_c, signal) => resolve(signal))) };
      };
      const yielding = holder(' yields');
      await writeFile(path.join(dir, '.drbd_ClusterDrbd.lock'), yielding.line, { mode: 0o600 });
      const began = Date.now();
      const release = await lockInstance(dir, 'drbd_ClusterDrbd', deadline(5000));
      expect(await yielding.exited).to.equal('SIGTERM');
      expect(Date.now() - began).to.be.below(4000);
      await release();

      const plain = holder('');
      try {
        await writeFile(path.join(dir, '.drbd_ClusterDrbd.lock'), plain.line, { mode: 0o600 });
        const error = await lockInstance(dir, 'drbd_ClusterDrbd', deadline(500)).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect((error as OcfError).reason).to.match(/still running/);
        expect(plain.child.exitCode).to.equal(null);
        expect(plain.child.signalCode).to.equal(null);
      } finally {
        plain.child.kill('SIGKILL');
      }
    });

    it('locks nothing where the state directory cannot be used (a symlinked HA_RSCTMP)', async () => {
      await symlink(os.tmpdir(), path.join(dir, 'link'));
      const release = await lockInstance(path.join(dir, 'link'), 'IPaddr2_vip', deadline(1000));
      await release();
      expect((await readdir(os.tmpdir())).filter((f) => f === '.IPaddr2_vip.lock')).to.deep.equal([]);
    });
  });
});
