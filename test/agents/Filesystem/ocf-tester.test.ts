// SPDX-License-Identifier: GPL-2.0-or-later
// resource-agents' own conformance tester, unmodified, against the installed agent on an xfs loop device.
import { expect } from 'chai';
import path from 'node:path';
import { execa } from 'execa';
import { OCF_DIR } from '../../helpers/agent.js';
import { createLoop, type LoopDevice } from '../../helpers/loop.js';
import { mountsUnder, removeScratch, scratchDir } from './system.js';

describe('Filesystem under ocf-tester (xfs loop device)', function () {
  this.timeout(120_000);
  let loop: LoopDevice;
  let dir: string;

  before(async () => {
    loop = await createLoop({ fstype: 'xfs', sizeMiB: 300 });
    dir = await scratchDir();
  });
  after(async () => {
    await removeScratch(dir);
    await loop.dispose();
  });

  it('passes all tests', async () => {
    const mnt = path.join(dir, 'data');
    const result = await execa(
      'ocf-tester',
      ['-v', '-n', 'fs1', '-o', `device=${loop.device}`, '-o', `directory=${mnt}`, '-o', 'fstype=xfs', `${OCF_DIR}/Filesystem`],
      { reject: false, all: true },
    );
    expect(result.exitCode, result.all).to.equal(0);
    expect(String(result.all)).to.include('passed all tests');
    expect(await mountsUnder(mnt)).to.deep.equal([]);
  });
});
