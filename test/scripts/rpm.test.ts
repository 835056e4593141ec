// SPDX-License-Identifier: GPL-2.0-or-later
// `make rpm` builds a package whose files are the installed layout: the agents' shims, the runtime, tsha.
import { readdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { execa } from 'execa';
import { agentNames } from '../../agents/index.js';

const repo = fileURLToPath(new URL('../../../', import.meta.url));

describe('make rpm', function () {
  this.timeout(300_000);
  let rpm: string;

  before(async () => {
    await execa('make', ['rpm'], { cwd: repo });
    const dir = `${repo}build/rpm/RPMS/noarch`;
    const files = (await readdir(dir)).filter((f) => f.endsWith('.noarch.rpm'));
    expect(files).to.have.length(1);
    rpm = `${dir}/${files[0]}`;
  });

  it('holds a shim per agent, the bundles, the runtime modules and the tsha command', async () => {
    const list = (await execa('rpm', ['-qlp', rpm])).stdout.split('\n');
    for (const agent of agentNames) {
      expect(list).to.include(`/usr/lib/ocf/resource.d/tsha/${agent}`);
      expect(list).to.include(`/usr/lib/tsha/dist/bundle/agents/${agent}/main.js`);
    }
    expect(list).to.include('/usr/bin/tsha');
    expect(list).to.include('/usr/lib/tsha/node_modules/pino/package.json');
    expect(list.some((f) => f.startsWith('/usr/lib/tsha/node_modules/mocha/'))).to.equal(false);
  });

  it('requires Node.js 20 and Pacemaker, and nothing from its own node modules', async () => {
    const requires = (await execa('rpm', ['-qpR', rpm])).stdout.split('\n').map((l) => l.trim());
    expect(requires).to.include('nodejs >= 20');
    expect(requires).to.include('pacemaker');
    expect(requires.filter((r) => r.startsWith('npm(') || r.includes('node_modules'))).to.deep.equal([]);
  });
});
