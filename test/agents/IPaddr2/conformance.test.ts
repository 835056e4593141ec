// SPDX-License-Identifier: GPL-2.0-or-later
// What judges ocf:tsha:IPaddr2 from outside: ocf-tester (unmodified) and pcs with agent self-validation, both
// inside a namespace that has the seed's eth1, and the man page.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { execa } from 'execa';
import { ipaddr2 } from '../../../agents/IPaddr2/agent.js';
import { OCF_DIR } from '../../helpers/agent.js';
import { createLan, SEED, type Lan } from './lan.js';

const seedPairs = Object.entries(SEED).map(([k, v]) => `${k}=${v}`);

describe('ocf:tsha:IPaddr2 under ocf-tester and pcs', function () {
  this.timeout(120_000);
  let lan: Lan;
  let tmp: string;

  before(async function () {
    // network namespaces need root: not being root is a failure, never a quiet skip
    if (process.getuid?.() !== 0) throw new Error('this suite needs root (network namespaces)');
    lan = await createLan('conf', ['a']);
    tmp = await mkdtemp(path.join(os.tmpdir(), 'tsha-pcs-'));
  });
  after(async () => {
    await lan?.destroy();
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  it("passes ocf-tester with the seed's parameters", async () => {
    const args = ['-n', 'ClusterIP', ...seedPairs.flatMap((p) => ['-o', p]), `${OCF_DIR}/IPaddr2`];
    const result = await lan.lab.run('a', 'ocf-tester', args, { reject: false, all: true, env: { HA_RSCTMP: lan.hosts.a?.rsctmp ?? '' } });
    console.log(result.stdout.split('\n').map((l) => `      ${l}`).join('\n'));
    expect(result.exitCode, result.stderr).to.equal(0);
    expect(result.stdout).to.include('passed all tests');
    expect(await lan.vip('a', SEED.ip)).to.deep.equal([]);
  });

  it("lets pcs create the seed's resource with --agent-validation when eth1 exists, and refuses eth9", async () => {
    const cib = path.join(tmp, 'cib.xml');
    const empty = await execa('cibadmin', ['--empty']);
    await writeFile(cib, String(empty.stdout));
    const create = (id: string, pairs: string[]) =>
      lan.lab.run('a', 'pcs', ['-f', cib, 'resource', 'create', '--agent-validation', id, 'ocf:tsha:IPaddr2', ...pairs, 'op', 'monitor', 'interval=30s'], {
        reject: false,
      });
    const ok = await create('ClusterIP', seedPairs);
    expect(ok.exitCode, `${ok.stdout}\n${ok.stderr}`).to.equal(0);
    expect(ok.stderr, 'no warning from the agent').to.not.match(/Validation result from agent/);
    const xml = await readFile(cib, 'utf8');
    expect(xml).to.include('<primitive id="ClusterIP" class="ocf" type="IPaddr2" provider="tsha">');
    expect(xml).to.include('name="iflabel" value="ethcl1"');
    expect(xml).to.match(/<op [^>]*name="monitor"[^>]*interval="30s"/);

    const bad = await create('ClusterIP2', seedPairs.map((p) => (p.startsWith('nic=') ? 'nic=eth9' : p.replace('192.168.1.73', '192.168.1.74'))));
    expect(bad.exitCode).to.not.equal(0);
    expect(bad.stderr).to.include('interface `eth9` does not exist');
  });

  it('documents every parameter in `tsha man IPaddr2`', async () => {
    const tsha = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../../scripts/tsha.js');
    // roff escapes (\- \_) removed, the text as man shows it
    const man = String((await execa(process.execPath, [tsha, 'man', 'IPaddr2'])).stdout).replace(/\\/g, '');
    for (const [name, spec] of Object.entries(ipaddr2.params)) {
      expect(man, name).to.include(name);
      expect(man, `${name} shortdesc`).to.include(spec.shortdesc);
    }
  });

  it('keeps meta-data valid for ra-api-1.dtd (what ocf-tester checks)', async () => {
    const meta = await execa(`${OCF_DIR}/IPaddr2`, ['meta-data']);
    const lint = await execa('xmllint', ['--noout', '--valid', '-'], { input: String(meta.stdout), cwd: '/usr/share/resource-agents', reject: false });
    expect(lint.exitCode, String(lint.stderr)).to.equal(0);
    expect(String(meta.stdout)).to.not.include('type="select"');
  });
});
