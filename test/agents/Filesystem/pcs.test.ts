// SPDX-License-Identifier: GPL-2.0-or-later
// The seed's pcs line with ocf:tsha:Filesystem, against an offline CIB file (no cluster needed), with pcs's
// agent self-validation on (crm_resource --validate: no PATH, level 0).
import { expect } from 'chai';
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { scratchDir } from './system.js';

describe('Filesystem through pcs (offline CIB)', function () {
  this.timeout(60_000);
  let dir: string;
  let cib: string;

  before(async () => {
    dir = await scratchDir();
    cib = path.join(dir, 'cib.xml');
    await writeFile(cib, (await execa('cibadmin', ['--empty'])).stdout);
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('accepts the seed line, validates silently and gets heartbeat\'s operations', async () => {
    const create = await execa(
      'pcs',
      ['-f', cib, 'resource', 'create', 'ClusterFs', 'ocf:tsha:Filesystem', 'device=/dev/drbd1', 'directory=/data', 'fstype=xfs', '--agent-validation'],
      { reject: false, all: true },
    );
    expect(create.exitCode, create.all).to.equal(0);
    expect(String(create.all)).not.to.match(/warning|error/i);
    const config = String((await execa('pcs', ['-f', cib, 'resource', 'config', 'ClusterFs'])).stdout);
    expect(config).to.include('provider=tsha type=Filesystem');
    expect(config).to.match(/monitor: ClusterFs-monitor-interval-20s\s+interval=20s\s+timeout=40s/);
    expect(config).to.match(/start: ClusterFs-start-interval-0s\s+interval=0s\s+timeout=60s/);
    expect(config).to.match(/stop: ClusterFs-stop-interval-0s\s+interval=0s\s+timeout=60s/);
  });

  it('reports a relative directory through self-validation', async () => {
    const create = await execa(
      'pcs',
      ['-f', cib, 'resource', 'create', 'BadFs', 'ocf:tsha:Filesystem', 'device=/dev/drbd1', 'directory=data', 'fstype=xfs', '--agent-validation'],
      { reject: false, all: true },
    );
    expect(create.exitCode).to.equal(1);
    expect(String(create.all)).to.match(/Validation result from agent[\s\S]*directory `data` must be an absolute path/);
  });
});
