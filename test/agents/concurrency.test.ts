// SPDX-License-Identifier: GPL-2.0-or-later
// Ten instances of each installed agent on different resources, started, monitored and stopped at once (as
// Pacemaker runs actions of different resources in parallel on a node); then two actions of one instance at
// once, which Pacemaker never does but an operator's crm_resource --force-* next to the cluster can: the end
// state must agree with what the codes said. State files stay each instance's own: 0600, well-formed, gone after
// stop.
import { lstat, mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { OcfExit } from '../../lib/ocf/exit-codes.js';
import { initMetadata, installWrappers, writeDrbdConf } from '../../scripts/drbdsim/setup.js';
import { ensurePostfix, waitForMail } from '../../scripts/mta.js';
import { spawnAgent, type AgentRun, type AgentRunOptions } from '../helpers/agent.js';
import { agentInNamespace } from '../helpers/doubles.js';
import { createLoop, unmountAll, type LoopDevice } from '../../scripts/harness/loop.js';
import { createLoneNode } from '../helpers/lone-node.js';
import type { NetnsLab } from '../helpers/netns.js';
import { readMountTable } from '../../agents/Filesystem/proc.js';

const N = 10;
const ids = Array.from({ length: N }, (_, i) => i);
const RECURRING = { interval: '10000' };

/** Runs the action on every instance at once; the codes in instance order. */
async function all(action: string, options: (i: number) => AgentRunOptions, agent: string): Promise<AgentRun[]> {
  return Promise.all(ids.map((i) => spawnAgent(agent, action, options(i))));
}

const codes = (runs: readonly AgentRun[]): number[] => runs.map((r) => r.rc);
const details = (runs: readonly AgentRun[]): string => runs.map((r, i) => `#${i} rc ${r.rc}: ${r.reason ?? ''}`).join('\n');

/** The files of dir with their modes, for "each instance has its own, 0600" checks. */
async function stateFiles(dir: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const name of await readdir(dir).catch(() => [])) out[name] = (await lstat(path.join(dir, name))).mode & 0o7777;
  return out;
}

/**
 * Two actions of one instance at once. Whatever order they ran in, each returned a code that is the truth for
 * it, and the resource ends either running or stopped, as a monitor afterwards reports and the system shows.
 */
const racePair = (first: Promise<AgentRun>, second: Promise<AgentRun>): Promise<[AgentRun, AgentRun]> => Promise.all([first, second]);

describe('concurrency: ten instances at once, and two actions of one instance (installed agents)', function () {
  this.timeout(120_000);
  let tmp: string;
  before(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'tsha-concurrency-'));
  });
  after(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  describe('MailTo', () => {
    let rsctmp: string;
    const subject = (i: number) => `tsha-cc-${process.pid}-${i}`;
    const options = (i: number): AgentRunOptions => ({ instance: `mail${i}`, params: { email: 'root', subject: subject(i) }, env: { HA_RSCTMP: rsctmp } });
    before(async () => {
      await ensurePostfix();
      rsctmp = path.join(tmp, 'mailto');
    });

    it('start, monitor, stop of 10 instances at once: all succeed, one 0600 JSON state file each while running, none after', async () => {
      const started = await all('start', options, 'MailTo');
      expect(codes(started), details(started)).to.deep.equal(ids.map(() => OcfExit.SUCCESS));
      const files = await stateFiles(rsctmp);
      expect(files).to.deep.equal(Object.fromEntries(ids.map((i) => [`MailTo_mail${i}`, 0o600])));
      for (const i of ids) expect(JSON.parse(await readFile(path.join(rsctmp, `MailTo_mail${i}`), 'utf8'))).to.have.keys('started', 'node');
      const monitored = await all('monitor', (i) => ({ ...options(i), meta: RECURRING }), 'MailTo');
      expect(codes(monitored)).to.deep.equal(ids.map(() => OcfExit.SUCCESS));
      const stopped = await all('stop', options, 'MailTo');
      expect(codes(stopped), details(stopped)).to.deep.equal(ids.map(() => OcfExit.SUCCESS));
      expect(await stateFiles(rsctmp)).to.deep.equal({});
      const after = await all('monitor', (i) => ({ ...options(i), meta: RECURRING }), 'MailTo');
      expect(codes(after)).to.deep.equal(ids.map(() => OcfExit.NOT_RUNNING));
      // a few mailboxes' worth: each instance mailed its own start and stop, nothing mixed
      for (const i of [0, 4, 9]) {
        const mails = await waitForMail(subject(i), 2);
        expect(mails.map((m) => /Subject: \S+ (\w+)/.exec(m.headers)?.[1])).to.deep.equal(['Takeover', 'Migrating']);
      }
    });

    it('start and stop of one instance at once: both 0, and the state file agrees with monitor', async () => {
      for (let round = 0; round < 3; round++) {
        const [start, stop] = await racePair(spawnAgent('MailTo', 'start', options(0)), spawnAgent('MailTo', 'stop', options(0)));
        expect([start.rc, stop.rc]).to.deep.equal([OcfExit.SUCCESS, OcfExit.SUCCESS]);
        const monitor = await spawnAgent('MailTo', 'monitor', { ...options(0), meta: RECURRING });
        const files = await stateFiles(rsctmp);
        expect(Object.keys(files).filter((f) => f.startsWith('.')), 'no temporary file left').to.deep.equal([]);
        expect(monitor.rc).to.equal(files['MailTo_mail0'] === undefined ? OcfExit.NOT_RUNNING : OcfExit.SUCCESS);
        const [mon, stop2] = await racePair(spawnAgent('MailTo', 'monitor', { ...options(0), meta: RECURRING }), spawnAgent('MailTo', 'stop', options(0)));
        expect([OcfExit.SUCCESS, OcfExit.NOT_RUNNING]).to.include(mon.rc);
        expect(stop2.rc).to.equal(OcfExit.SUCCESS);
        expect(await stateFiles(rsctmp)).to.deep.equal({});
      }
    });
  });

  describe('IPaddr2', () => {
    let lab: NetnsLab;
    let agent: string;
    let rsctmp: string;
    const ip = (i: number) => `10.79.0.${20 + i}`;
    const options = (i: number): AgentRunOptions => ({
      path: agent,
      instance: `vip${i}`,
      params: { ip: ip(i), nic: 'eth1', cidr_netmask: '24', iflabel: `v${i}`, arp_count: '2', arp_interval: '100' },
      env: { HA_RSCTMP: rsctmp },
    });
    const addresses = async (): Promise<string[]> => {
      const shown = JSON.parse(await lab.ip('n1', '-j', '-4', 'addr', 'show', 'dev', 'eth1')) as { addr_info: { local: string; prefixlen: number; label?: string }[] }[];
      return (shown[0]?.addr_info ?? []).map((a) => `${a.local}/${a.prefixlen} ${a.label ?? ''}`).sort();
    };
    before(async () => {
      const node = await createLoneNode('ccip', 'eth1', '10.79.0.1/24');
      lab = node.lab;
      const ns = node.ns;
      agent = await agentInNamespace(tmp, 'IPaddr2', ns);
      rsctmp = path.join(tmp, 'ipaddr2');
    });
    after(async () => {
      await lab?.destroy();
    });

    it('start, monitor, stop of 10 addresses at once: each address exactly once with its label, then only the base address', async () => {
      const started = await all('start', options, 'IPaddr2');
      expect(codes(started), details(started)).to.deep.equal(ids.map(() => OcfExit.SUCCESS));
      expect(await addresses()).to.deep.equal(['10.79.0.1/24 eth1', ...ids.map((i) => `${ip(i)}/24 eth1:v${i}`)].sort());
      const monitored = await all('monitor', (i) => ({ ...options(i), meta: RECURRING }), 'IPaddr2');
      expect(codes(monitored), details(monitored)).to.deep.equal(ids.map(() => OcfExit.SUCCESS));
      // each instance's announcer pid file is its own (or gone once its ARPs are sent), 0600, a pid
      // and the event watch holds one registration per running instance, in its own folder
      const watched = (await readdir(path.join(rsctmp, 'tsha-watch'))).filter((f) => f.endsWith('.json')).sort();
      expect(watched).to.deep.equal(ids.map((i) => `IPaddr2_vip${i}.json`).sort());
      for (const [name, mode] of Object.entries(await stateFiles(rsctmp))) {
        if (name === 'tsha-watch') continue;
        expect(name).to.match(/^IPaddr2_vip\d\.announce$/);
        expect(mode).to.equal(0o600);
        expect(await readFile(path.join(rsctmp, name), 'utf8')).to.match(/^\d+\n$/);
      }
      const stopped = await all('stop', options, 'IPaddr2');
      expect(codes(stopped), details(stopped)).to.deep.equal(ids.map(() => OcfExit.SUCCESS));
      expect(await addresses()).to.deep.equal(['10.79.0.1/24 eth1']);
      expect(await stateFiles(rsctmp)).to.deep.equal({});
    });

    it('start and stop of one address at once, then monitor and stop: the codes and the interface agree', async () => {
      for (let round = 0; round < 3; round++) {
        const [start, stop] = await racePair(spawnAgent('IPaddr2', 'start', options(0)), spawnAgent('IPaddr2', 'stop', options(0)));
        expect([start.rc, stop.rc], details([start, stop])).to.deep.equal([OcfExit.SUCCESS, OcfExit.SUCCESS]);
        const present = (await addresses()).includes(`${ip(0)}/24 eth1:v0`);
        const monitor = await spawnAgent('IPaddr2', 'monitor', { ...options(0), meta: RECURRING });
        expect(monitor.rc).to.equal(present ? OcfExit.SUCCESS : OcfExit.NOT_RUNNING);
        const [mon, stop2] = await racePair(spawnAgent('IPaddr2', 'monitor', { ...options(0), meta: RECURRING }), spawnAgent('IPaddr2', 'stop', options(0)));
        expect([OcfExit.SUCCESS, OcfExit.NOT_RUNNING]).to.include(mon.rc);
        expect(stop2.rc).to.equal(OcfExit.SUCCESS);
        expect(await addresses()).to.deep.equal(['10.79.0.1/24 eth1']);
        expect(await stateFiles(rsctmp)).to.deep.equal({});
      }
    });
  });

  describe('Filesystem (tmpfs)', () => {
    let rsctmp: string;
    const dir = (i: number) => path.join(tmp, 'fs', `m${i}`);
    const options = (i: number): AgentRunOptions => ({
      instance: `fs${i}`,
      params: { device: `tsha-cc-${i}`, directory: dir(i), fstype: 'tmpfs', options: 'size=1m' },
      env: { HA_RSCTMP: rsctmp },
    });
    const mounts = async (): Promise<string[]> =>
      (await readMountTable())
        .filter((e) => e.mountPoint.startsWith(path.join(tmp, 'fs')))
        .map((e) => `${e.source} ${e.mountPoint}`)
        .sort();
    before(() => {
      rsctmp = path.join(tmp, 'filesystem');
    });
    after(async () => {
      await unmountAll((await mounts()).map((m) => m.split(' ')[1]!).reverse());
    });

    it('start, monitor, stop of 10 mounts at once: each mounted once, then none', async () => {
      const started = await all('start', options, 'Filesystem');
      expect(codes(started), details(started)).to.deep.equal(ids.map(() => OcfExit.SUCCESS));
      expect(await mounts()).to.deep.equal(ids.map((i) => `tsha-cc-${i} ${dir(i)}`).sort());
      const monitored = await all('monitor', (i) => ({ ...options(i), meta: RECURRING }), 'Filesystem');
      expect(codes(monitored), details(monitored)).to.deep.equal(ids.map(() => OcfExit.SUCCESS));
      const stopped = await all('stop', options, 'Filesystem');
      expect(codes(stopped), details(stopped)).to.deep.equal(ids.map(() => OcfExit.SUCCESS));
      expect(await mounts()).to.deep.equal([]);
      expect(await stateFiles(rsctmp)).to.deep.equal({});
    });

    it('start and stop of one mount at once, then monitor and stop: the codes and the mount table agree', async () => {
      for (let round = 0; round < 3; round++) {
        const [start, stop] = await racePair(spawnAgent('Filesystem', 'start', options(0)), spawnAgent('Filesystem', 'stop', options(0)));
        expect([start.rc, stop.rc], details([start, stop])).to.deep.equal([OcfExit.SUCCESS, OcfExit.SUCCESS]);
        const table = await mounts();
        expect(table.length, 'never two mounts stacked on the directory').to.be.at.most(1);
        const monitor = await spawnAgent('Filesystem', 'monitor', { ...options(0), meta: RECURRING });
        expect(monitor.rc).to.equal(table.length === 1 ? OcfExit.SUCCESS : OcfExit.NOT_RUNNING);
        const [mon, stop2] = await racePair(spawnAgent('Filesystem', 'monitor', { ...options(0), meta: RECURRING }), spawnAgent('Filesystem', 'stop', options(0)));
        expect([OcfExit.SUCCESS, OcfExit.NOT_RUNNING]).to.include(mon.rc);
        expect(stop2.rc).to.equal(OcfExit.SUCCESS);
        expect(await mounts()).to.deep.equal([]);
      }
    });
  });

  describe('drbd (drbdsim)', () => {
    const FIRST_MINOR = 110;
    let lab: NetnsLab;
    let loop: LoopDevice;
    let conf: string;
    let sim: string;
    let agent: string;
    let simEnv: Record<string, string>;
    const res = (i: number) => `cc${i}`;
    const options = (i: number, meta: Record<string, string> = {}): AgentRunOptions => ({
      path: agent,
      instance: `ClusterDrbd${i}`,
      params: { drbd_resource: res(i), drbdconf: conf, wfc_timeout: '1' },
      meta: { clone_max: '2', clone_node_max: '1', promoted_max: '1', promoted_node_max: '1', notify: 'true', timeout: '60000', ...meta },
      env: { ...simEnv, PATH: `${sim}:/usr/sbin:/usr/bin:/sbin:/bin` },
    });
    before(async function () {
      this.timeout(60_000);
      const stateDir = path.join(tmp, 'drbd-state');
      sim = path.join(tmp, 'drbd-sim');
      installWrappers(sim, { stateDir });
      simEnv = { TSHA_DRBDSIM_STATE: stateDir };
      loop = await createLoop({ sizeMiB: 16 });
      const node = await createLoneNode('ccdrbd', 'eth2', '192.168.2.71/24');
      lab = node.lab;
      const ns = node.ns;
      agent = await agentInNamespace(tmp, 'drbd', ns);
      for (const i of ids) {
        conf = writeDrbdConf(path.join(tmp, 'drbd-etc'), {
          resource: res(i),
          device: `/dev/drbd${FIRST_MINOR + i}`,
          port: 7900 + i,
          nodes: [
            { name: os.hostname(), address: '192.168.2.71', disk: loop.device },
            { name: 'tsha-test-peer', address: '192.168.2.72', disk: loop.device },
          ],
        }).confFile;
        initMetadata(stateDir, res(i), [os.hostname()]);
      }
    });
    after(async () => {
      for (const i of ids) await lab?.run('n1', path.join(sim, 'drbdadm'), ['-c', conf, 'down', res(i)], { env: simEnv, reject: false });
      await lab?.destroy();
      await loop?.dispose();
      for (const i of ids) await rm(`/dev/drbd${FIRST_MINOR + i}`, { force: true });
    });

    it('start, monitor, promote one, stop of 10 resources at once: all succeed, each resource in its own state', async () => {
      const started = await all('start', (i) => options(i), 'drbd');
      expect(codes(started), details(started)).to.deep.equal(ids.map(() => OcfExit.SUCCESS));
      const promoted = await spawnAgent('drbd', 'promote', options(3));
      expect(promoted.rc, promoted.stderr).to.equal(OcfExit.SUCCESS);
      const monitored = await all('monitor', (i) => options(i, RECURRING), 'drbd');
      expect(codes(monitored), details(monitored)).to.deep.equal(ids.map((i) => (i === 3 ? OcfExit.RUNNING_PROMOTED : OcfExit.SUCCESS)));
      const demoted = await spawnAgent('drbd', 'demote', options(3));
      expect(demoted.rc).to.equal(OcfExit.SUCCESS);
      const stopped = await all('stop', (i) => options(i), 'drbd');
      expect(codes(stopped), details(stopped)).to.deep.equal(ids.map(() => OcfExit.SUCCESS));
      const after = await all('monitor', (i) => options(i, RECURRING), 'drbd');
      expect(codes(after)).to.deep.equal(ids.map(() => OcfExit.NOT_RUNNING));
    });

    it('start and stop of one resource at once, then monitor and stop: the codes and the resource agree', async () => {
      const [start, stop] = await racePair(spawnAgent('drbd', 'start', options(0)), spawnAgent('drbd', 'stop', options(0)));
      expect([start.rc, stop.rc], details([start, stop])).to.deep.equal([OcfExit.SUCCESS, OcfExit.SUCCESS]);
      const role = await lab.run('n1', path.join(sim, 'drbdadm'), ['-c', conf, 'role', res(0)], { env: simEnv, reject: false });
      const monitor = await spawnAgent('drbd', 'monitor', options(0, RECURRING));
      expect(monitor.rc, role.stdout + role.stderr).to.equal(role.exitCode === 0 ? OcfExit.SUCCESS : OcfExit.NOT_RUNNING);
      const [mon, stop2] = await racePair(spawnAgent('drbd', 'monitor', options(0, RECURRING)), spawnAgent('drbd', 'stop', options(0)));
      expect([OcfExit.SUCCESS, OcfExit.NOT_RUNNING]).to.include(mon.rc);
      expect(stop2.rc).to.equal(OcfExit.SUCCESS);
      expect((await spawnAgent('drbd', 'monitor', options(0, RECURRING))).rc).to.equal(OcfExit.NOT_RUNNING);
    });
  });
});
