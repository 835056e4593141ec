// SPDX-License-Identifier: GPL-2.0-or-later
// `make deb` on a fresh clone: the RPM's contents with Debian's files, lintian clean, and the package installed
// with dpkg on this machine, read by the cluster shells (crm_resource, pcs, crmsh), then removed. dpkg runs in a
// private mount namespace whose /usr, /var/lib/dpkg, /var/cache/man and /var/log are overlays: it reads this
// machine's real files and package database, and everything it writes is dropped with the namespace, so the agents
// `make install` put in the same paths (the tests after this one use them) and the host's database stay as they were.
import { mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { execa } from 'execa';
import { agentNames, loadAgent } from '../../agents/index.js';
import { openMountNamespace, type MountNamespace } from './namespace.js';
import { FULL_VERSION, freshPackages, pkg, rpmFiles } from './packages.js';

/** Where dpkg writes when it installs and removes tsha. */
const OVERLAID = ['/usr', '/var/lib/dpkg', '/var/cache/man', '/var/log'];
const OVERLAY_SETUP = `tmp=$1; shift
for dir in "$@"; do
  layer=$tmp/$(echo "$dir" | tr / _)
  mkdir -p "$layer/upper" "$layer/work"
  mount -t overlay tsha-deb-test -o "lowerdir=$dir,upperdir=$layer/upper,workdir=$layer/work" "$dir"
done`;

/** The files of a .deb, by absolute path (folders left out). */
async function debFiles(deb: string): Promise<string[]> {
  const listing = (await execa('dpkg-deb', ['--fsys-tarfile', deb]).pipe('tar', ['-t'])).stdout.split('\n');
  return listing.filter((l) => l && !l.endsWith('/')).map((l) => l.replace(/^\./, ''));
}

async function paramNames(agent: string): Promise<string[]> {
  return Object.keys((await loadAgent(agent)).params);
}

describe('make deb (a fresh clone)', function () {
  this.timeout(600_000);
  let deb: string;
  let rpm: string;

  before(async () => {
    ({ deb, rpm } = await freshPackages());
  });

  it("carries package.json's version and the RPM's dependencies under Debian's names", async () => {
    expect(path.basename(deb)).to.equal(`tsha_${FULL_VERSION}_all.deb`);
    const field = async (name: string) => (await execa('dpkg-deb', ['--field', deb, name])).stdout.trim();
    expect(await field('Version')).to.equal(FULL_VERSION);
    expect(await field('Architecture')).to.equal('all');
    expect(pkg.engines.node).to.equal('>=20');
    expect(await field('Depends')).to.equal('nodejs (>= 20), pacemaker');
    expect(await field('Recommends')).to.equal('drbd-utils, iputils-arping, xfsprogs, default-mta | mail-transport-agent');
    const summary = (await execa('rpm', ['-qp', '--qf', '%{SUMMARY}', rpm])).stdout;
    expect((await field('Description')).split('\n')[0]).to.equal(summary);
  });

  it("holds the RPM's files, with Debian's doc files and its man pages compressed", async () => {
    const debian = (await debFiles(deb)).filter((f) => !f.startsWith('/usr/share/doc/') && !f.startsWith('/usr/share/lintian/'));
    const fromRpm = (await rpmFiles(rpm)).filter((f) => !f.startsWith('/usr/share/doc/') && !f.startsWith('/usr/share/licenses/'));
    expect(debian.sort()).to.deep.equal(fromRpm.sort());
    const docs = (await debFiles(deb)).filter((f) => f.startsWith('/usr/share/doc/'));
    expect(docs.sort()).to.deep.equal(['/usr/share/doc/tsha/README.md.gz', '/usr/share/doc/tsha/changelog.Debian.gz', '/usr/share/doc/tsha/copyright']);
  });

  it('is lintian clean (packaging/debian/lintian-overrides says why each overridden tag does not apply)', async () => {
    const lint = await execa('lintian', ['--info', '--pedantic', deb], { reject: false, all: true });
    console.log(String(lint.all).replace(/^/gm, '      '));
    expect(String(lint.all).split('\n').filter((l) => /^[EWIP]: /.test(l))).to.deep.equal([]);
    expect(lint.exitCode).to.equal(0);
  });

  describe('installed with dpkg on this machine (overlays catch what it writes), then removed', () => {
    let tmp: string;
    let ns: MountNamespace;
    let hostAgent: string;

    before(async () => {
      tmp = await mkdtemp(path.join(os.tmpdir(), 'tsha-deb-'));
      hostAgent = await stat('/usr/lib/tsha/dist/bundle/agents/drbd/main.js').then((s) => `${s.ino} ${s.mtimeMs}`, () => 'missing');
      ns = await openMountNamespace(OVERLAY_SETUP, [tmp, ...OVERLAID]);
    });
    after(async () => {
      await ns?.close();
      if (tmp) await rm(tmp, { recursive: true, force: true });
    });

    it('installs with its dependencies satisfied by this machine', async () => {
      const install = await ns.run('dpkg', ['-i', deb]);
      expect(install.exitCode, install.all).to.equal(0);
      const status = await ns.run('dpkg-query', ['-W', '-f', '${Status} ${Version}', 'tsha']);
      expect(status.stdout).to.equal(`install ok installed ${FULL_VERSION}`);
      expect((await ns.run('/usr/bin/tsha', ['--version'])).stdout.trim()).to.equal(pkg.version);
    });

    for (const agent of agentNames) {
      it(`ocf:tsha:${agent}: crm_resource --show-metadata, pcs resource describe and crm ra info show every parameter`, async () => {
        const names = await paramNames(agent);
        const metadata = await ns.run('crm_resource', ['--show-metadata', `ocf:tsha:${agent}`]);
        expect(metadata.exitCode, metadata.all).to.equal(0);
        expect(metadata.stdout).to.include(`<resource-agent name="${agent}" version="${pkg.version}">`);
        const pcs = await ns.run('pcs', ['resource', 'describe', '--full', `ocf:tsha:${agent}`]);
        expect(pcs.exitCode, pcs.all).to.equal(0);
        // crmsh keeps a cache and a log in HOME and /var/log (overlaid)
        const crm = await ns.run('crm', ['ra', 'info', `ocf:tsha:${agent}`], { env: { HOME: tmp } });
        expect(crm.exitCode, crm.all).to.equal(0);
        for (const name of names) {
          expect(metadata.stdout, `crm_resource: ${name}`).to.include(`<parameter name="${name}"`);
          expect(pcs.stdout, `pcs: ${name}`).to.match(new RegExp(`^\\s+${name}( \\([^)]*\\))*:`, 'm'));
          expect(crm.stdout, `crm: ${name}`).to.match(new RegExp(`^${name}\\*? \\(`, 'm'));
        }
      });
    }

    it('shows its man pages through man', async () => {
      for (const page of ['ocf_tsha_drbd', 'tsha']) {
        const man = await ns.run('man', [page], { env: { MANPAGER: 'cat', MANWIDTH: '100' } });
        expect(man.exitCode, man.all).to.equal(0);
        expect(man.stdout).to.include(page === 'tsha' ? 'tsha lab up' : 'drbd_resource');
      }
    });

    it('is removed by dpkg -r, leaving none of its files', async () => {
      const files = await debFiles(deb);
      const remove = await ns.run('dpkg', ['-r', 'tsha']);
      expect(remove.exitCode, remove.all).to.equal(0);
      const left = await ns.run('sh', ['-c', 'for f in "$@"; do [ -e "$f" ] && echo "$f"; done; true', 'sh', ...files]);
      expect(left.stdout).to.equal('');
      expect((await ns.run('dpkg-query', ['-W', '-f', '${Status}', 'tsha'])).stdout).to.not.include('installed');
    });

    it('leaves the host as it was: its package database and the agents make install put there', async () => {
      await ns.close();
      const host = await execa('dpkg-query', ['-W', '-f', '${Status}', 'tsha'], { reject: false });
      expect(String(host.stdout)).to.not.include('installed');
      const after = await stat('/usr/lib/tsha/dist/bundle/agents/drbd/main.js').then((s) => `${s.ino} ${s.mtimeMs}`, () => 'missing');
      expect(after).to.equal(hostAgent);
    });
  });
});
