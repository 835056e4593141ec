// SPDX-License-Identifier: GPL-2.0-or-later
// The RPM as installed: its payload, put into an empty root by rpm, becomes /usr/lib/tsha,
// /usr/lib/ocf/resource.d/tsha and /usr/bin/tsha in a private mount namespace (bind mounts; the host keeps what
// `make install` put there), and the agents' own ocf-tester and pcs tests run against it there: ocf-tester on
// every agent (drbd on the simulator, Filesystem on an xfs loop device, IPaddr2 in a namespace with the seed's
// eth1, MailTo through postfix) and `pcs resource create --agent-validation` with the seed's lines.
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { expect } from 'chai';
import { agentNames, loadAgent } from '../../agents/index.js';
import { openMountNamespace, type MountNamespace } from './namespace.js';
import { pkg, repo, rpmPayload } from './packages.js';

/** The installed paths the payload stands in for; `make install` (run by `make check`) created them. */
const LIVE = ['/usr/lib/tsha', '/usr/lib/ocf/resource.d/tsha', '/usr/bin/tsha'];
/** The agents' tests that judge them from outside: ocf-tester and pcs with agent validation. */
const SUITES = [
  'agents/IPaddr2/conformance.test.js',
  'agents/Filesystem/ocf-tester.test.js',
  'agents/Filesystem/pcs.test.js',
  'agents/drbd/ocf-tester.test.js',
  'agents/drbd/pcs.test.js',
  'agents/MailTo/mailto.test.js',
];

/** The title of each agent's ocf-tester test in SUITES. */
const OCF_TESTER_TITLES: Record<string, string> = {
  IPaddr2: "passes ocf-tester with the seed's parameters",
  Filesystem: 'passes all tests',
  drbd: 'passes all tests (validate-all, probes',
  MailTo: 'passes ocf-tester (resource-agents, unmodified)',
};

const inode = async (file: string): Promise<string> => {
  const s = await stat(file);
  return `${s.dev}:${s.ino}`;
};

describe("the RPM's payload as the live agents (rpm --root, then bind mounts in a private mount namespace)", function () {
  this.timeout(900_000);
  let root: string;
  let ns: MountNamespace;
  const hostBefore: Record<string, string> = {};

  before(async () => {
    root = await rpmPayload();
    for (const live of LIVE) hostBefore[live] = await inode(live).catch(() => 'missing');
    const missing = LIVE.filter((live) => hostBefore[live] === 'missing');
    if (missing.length > 0) throw new Error(`${missing.join(', ')} missing: install the agents first (make check does)`);
    ns = await openMountNamespace('root=$1; shift; for live in "$@"; do mount --bind "$root$live" "$live"; done', [root, ...LIVE]);
  });
  after(async () => {
    await ns?.close();
  });

  it('shows the payload, not the host, under the live paths inside the namespace', async () => {
    const file = '/usr/lib/tsha/dist/bundle/agents/drbd/main.js';
    const seen = (await ns.run('stat', ['-c', '%d:%i', file])).stdout.trim();
    const payload = await stat(path.join(root, file));
    // stat(1) prints the device number as one integer, as Node does
    expect(seen).to.equal(`${payload.dev}:${payload.ino}`);
    expect(await inode(file), 'the host still has its own').to.not.equal(seen);
  });

  it("runs tsha and every agent's meta-data with package.json's version", async () => {
    expect((await ns.run('/usr/bin/tsha', ['--version'])).stdout.trim()).to.equal(pkg.version);
    for (const agent of agentNames) {
      const meta = await ns.run(`/usr/lib/ocf/resource.d/tsha/${agent}`, ['meta-data'], { extendEnv: false, env: { PATH: '/usr/sbin:/bin:/usr/bin' } });
      expect(String(meta.stdout)).to.include(`<resource-agent name="${agent}" version="${pkg.version}">`);
      for (const name of Object.keys((await loadAgent(agent)).params)) expect(String(meta.stdout), `${agent} ${name}`).to.include(`<parameter name="${name}"`);
    }
  });

  it('passes ocf-tester on every agent and pcs --agent-validation with the seed\'s lines (the agents\' suites)', async () => {
    const files = SUITES.map((s) => path.join(repo, 'dist/test', s));
    // these suites once, under this node: not the outer run's other Node lines
    const run = await ns.run(process.execPath, [path.join(repo, 'scripts/run-tests.mjs'), ...files], { cwd: repo, env: { TSHA_NODE_LINES: '' } });
    // indented, so that the outer run's `N passed, N failed` stays the only such line at the start of a line
    console.log(String(run.all).replace(/^/gm, '      | '));
    const summary = /^(\d+) passed, (\d+) failed/m.exec(String(run.all));
    expect(summary, 'the suites ran to their summary').to.not.equal(null);
    expect(Number(summary![2]), 'failed').to.equal(0);
    expect(Number(summary![1])).to.be.greaterThan(20);
    expect(Object.keys(OCF_TESTER_TITLES).sort()).to.deep.equal([...agentNames].sort());
    const passed = String(run.all).split('\n').filter((l) => l.includes('✔'));
    for (const title of Object.values(OCF_TESTER_TITLES)) expect(passed.some((l) => l.includes(title)), title).to.equal(true);
    expect(run.exitCode).to.equal(0);
  });

  it('leaves the host as it was', async () => {
    await ns.close();
    for (const live of LIVE) expect(await inode(live), live).to.equal(hostBefore[live]);
  });
});
