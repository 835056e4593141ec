// SPDX-License-Identifier: GPL-2.0-or-later
// The installer, and the installed agents run as pcs, crm_resource and ocf-tester run them.
import { access, constants, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { execa } from 'execa';
import { agentNames } from '../../agents/index.js';

const repo = fileURLToPath(new URL('../../../', import.meta.url));

describe('scripts/install.sh', function () {
  this.timeout(120_000);
  let destdir: string;
  before(async () => {
    destdir = await mkdtemp(path.join(os.tmpdir(), 'tsha-destdir-'));
  });
  after(async () => {
    await rm(destdir, { recursive: true, force: true });
  });

  it('installs shims, runtime and the tsha command under DESTDIR and PREFIX, and uninstalls them', async () => {
    const env = { DESTDIR: destdir, PREFIX: '/opt/ha' };
    await execa('sh', ['scripts/install.sh', 'install'], { cwd: repo, env });
    for (const agent of agentNames) {
      const shim = path.join(destdir, 'opt/ha/lib/ocf/resource.d/tsha', agent);
      expect((await stat(shim)).mode & 0o777).to.equal(0o755);
      const text = await readFile(shim, 'utf8');
      // the shim names the final paths, not the staging folder, and node by absolute path: a node script, no sh
      expect(text).to.match(new RegExp(`^#!/\\S*/node\n`));
      expect(text).to.include(`\nrequire('/opt/ha/lib/tsha/dist/bundle/agents/${agent}/main.js');\n`);
      expect(text).to.not.include(destdir);
    }
    await access(path.join(destdir, 'opt/ha/lib/tsha/node_modules/execa/package.json'), constants.R_OK);
    const devOnly = await access(path.join(destdir, 'opt/ha/lib/tsha/node_modules/mocha')).then(() => true, () => false);
    expect(devOnly, 'development modules are not installed').to.equal(false);
    await access(path.join(destdir, 'opt/ha/bin/tsha'), constants.X_OK);

    await execa('sh', ['scripts/install.sh', 'uninstall'], { cwd: repo, env });
    const left = await execa('find', [destdir, '-type', 'f']);
    expect(left.stdout).to.equal('');
  });
});

describe('installed agents, run the way the cluster tools run them', function () {
  this.timeout(60_000);
  for (const agent of agentNames) {
    const file = `/usr/lib/ocf/resource.d/tsha/${agent}`;
    it(`${agent}: meta-data with pcs's PATH and nothing else`, async () => {
      const result = await execa(file, ['meta-data'], { extendEnv: false, env: { LC_ALL: 'C', PATH: '/usr/sbin:/bin:/usr/bin' } });
      expect(result.stdout).to.match(/^<\?xml version="1.0"\?>\n<!DOCTYPE resource-agent SYSTEM "ra-api-1.dtd">/);
    });
    it(`${agent}: meta-data with no environment at all`, async () => {
      const result = await execa(file, ['meta-data'], { extendEnv: false, env: {} });
      expect(result.stdout).to.include(`<resource-agent name="${agent}"`);
    });
    it(`${agent}: meta-data as user nobody (ocf-tester's first check)`, async () => {
      const result = await execa('su', ['nobody', '-s', '/bin/sh', '-c', `${file} meta-data`], { reject: false, cwd: '/' });
      expect(result.exitCode, result.stderr).to.equal(0);
      expect(result.stdout).to.include('</resource-agent>');
    });
    it(`${agent}: crm_resource --show-metadata ocf:tsha:${agent}`, async () => {
      const result = await execa('crm_resource', ['--show-metadata', `ocf:tsha:${agent}`]);
      expect(result.stdout).to.include(`<resource-agent name="${agent}"`);
    });
  }
});
