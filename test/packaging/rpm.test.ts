// SPDX-License-Identifier: GPL-2.0-or-later
// `make rpm` on a fresh clone: the installed layout with the production modules only, the man pages, the version
// of package.json, the dependencies the agents need, a changelog, and rpmlint without an error.
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { expect } from 'chai';
import { execa } from 'execa';
import { agentNames } from '../../agents/index.js';
import { FULL_VERSION, freshPackages, pkg, repo, rpmFiles, rpmPayload } from './packages.js';

const MAN_PAGES = [...agentNames.map((a) => `/usr/share/man/man7/ocf_tsha_${a}.7.gz`), '/usr/share/man/man8/tsha.8.gz'];
/** What a module may carry that never runs: it must not reach the package. */
const NOT_RUNTIME = /\/(test|tests|__tests__|fixtures|benchmarks|examples?|docs|\.github|\.husky|\.bin)\/|\/\.nojekyll$|\.d\.ts$|\.map$|\/README\.md$/;

describe('make rpm (a fresh clone)', function () {
  this.timeout(600_000);
  let rpm: string;
  let files: string[];

  before(async () => {
    ({ rpm } = await freshPackages());
    files = await rpmFiles(rpm);
  });

  it("names the package with package.json's version", async () => {
    expect(path.basename(rpm)).to.equal(`tsha-${FULL_VERSION}.noarch.rpm`);
    const fields = (await execa('rpm', ['-qp', '--qf', '%{VERSION}-%{RELEASE} %{GROUP} %{PACKAGER}', rpm])).stdout;
    expect(fields).to.match(new RegExp(`^${FULL_VERSION} System Environment/Base \\S`));
  });

  it('holds a shim per agent, the bundles, the runtime modules, tsha, the man pages, the licence and the README', () => {
    for (const agent of agentNames) {
      expect(files).to.include(`/usr/lib/ocf/resource.d/tsha/${agent}`);
      expect(files).to.include(`/usr/lib/tsha/dist/bundle/agents/${agent}/main.js`);
    }
    for (const file of ['/usr/bin/tsha', '/usr/lib/tsha/node_modules/pino/package.json', ...MAN_PAGES]) expect(files).to.include(file);
    expect(files.some((f) => /^\/usr\/share\/licenses\/tsha[^/]*\/LICENSE$/.test(f))).to.equal(true);
    expect(files.some((f) => /^\/usr\/share\/doc\/tsha[^/]*\/README\.md$/.test(f))).to.equal(true);
    expect(files.filter((f) => f.startsWith('/usr/sbin/')), 'the lab fence agent stays out').to.deep.equal([]);
  });

  it('ships the production modules only: no dev modules, tests, fixtures, hooks, docs or type declarations', () => {
    expect(files.some((f) => f.startsWith('/usr/lib/tsha/node_modules/mocha/'))).to.equal(false);
    expect(files.filter((f) => f.includes('/node_modules/') && NOT_RUNTIME.test(f))).to.deep.equal([]);
  });

  it('has no #!/usr/bin/env interpreter and no #! in a file that is not executable', async () => {
    const root = await rpmPayload();
    const offenders: string[] = [];
    for (const file of files) {
      const text = await readFile(path.join(root, file)).then((b) => b.subarray(0, 64).toString('latin1'));
      if (!text.startsWith('#!')) continue;
      const mode = (await stat(path.join(root, file))).mode & 0o777;
      if (text.startsWith('#!/usr/bin/env') || (mode & 0o111) === 0) offenders.push(`${file} ${mode.toString(8)} ${text.split('\n')[0]}`);
    }
    expect(offenders).to.deep.equal([]);
  });

  it("requires Node.js as package.json's engines say, and Pacemaker; nothing from its own modules", async () => {
    expect(pkg.engines.node).to.equal('>=20');
    const requires = (await execa('rpm', ['-qpR', rpm])).stdout.split('\n').map((l) => l.trim());
    expect(requires).to.include('nodejs >= 20');
    expect(requires).to.include('pacemaker');
    expect(requires.filter((r) => r.startsWith('npm(') || r.includes('node_modules'))).to.deep.equal([]);
  });

  it('recommends drbd-utils, iputils, xfsprogs and a sendmail', async () => {
    const recommends = (await execa('rpm', ['-qp', '--recommends', rpm])).stdout.split('\n').map((l) => l.trim());
    expect(recommends.sort()).to.deep.equal(['/usr/sbin/sendmail', 'drbd-utils', 'iputils', 'xfsprogs']);
  });

  it('has a changelog whose newest entry is this version', async () => {
    const changelog = (await execa('rpm', ['-qp', '--changelog', rpm])).stdout;
    expect(changelog.split('\n')[0]).to.match(new RegExp(`^\\* \\w{3} \\w{3} \\d{2} \\d{4} .+ <.+@.+> - ${FULL_VERSION}$`));
  });

  it("names in License every licence of the modules it ships", async () => {
    const license = (await execa('rpm', ['-qp', '--qf', '%{LICENSE}', rpm])).stdout.split(' AND ');
    const root = await rpmPayload();
    const licences = new Set<string>();
    for (const file of files.filter((f) => /\/node_modules\/(@[^/]+\/)?[^@/][^/]*\/package\.json$/.test(f))) {
      const meta = JSON.parse(await readFile(path.join(root, file), 'utf8')) as { name?: string; license?: string };
      if (meta.name && meta.license && file.endsWith(`/${meta.name}/package.json`)) licences.add(meta.license);
    }
    expect(licences.size).to.be.greaterThan(0);
    expect([...licences].filter((l) => !license.includes(l))).to.deep.equal([]);
    expect(license[0]).to.equal('GPL-2.0-or-later');
  });

  it('passes rpmlint: 0 errors (packaging/tsha.rpmlintrc filters only what a package built here cannot fix)', async () => {
    const lint = await execa('rpmlint', ['-r', path.join(repo, 'packaging/tsha.rpmlintrc'), rpm], { reject: false, all: true });
    console.log(String(lint.all).replace(/^/gm, '      '));
    expect(String(lint.all)).to.match(/\b0 errors\b/);
  });
});
