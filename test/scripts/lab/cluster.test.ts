// SPDX-License-Identifier: GPL-2.0-or-later
// The lab for real: Pacemaker/Corosync clusters of 2 and 3 namespace nodes, failover, fencing, rejoin, teardown.
// One 2-node lab serves the failover tests in order; timings are printed, never asserted.
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, readlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { expect } from 'chai';
import { execa } from 'execa';
import {
  boot,
  clusterStatus,
  crash,
  cut,
  fenceHistory,
  isOn,
  labDown,
  labUp,
  logTails,
  nodeInit,
  type LabExtension,
  type LabHandle,
} from '../../../scripts/lab/index.js';
import { readMountTable } from '../../../agents/Filesystem/proc.js';
import { labPlan, type LabPlan } from '../../../scripts/lab/plan.js';
import { listNetns, netnsPids, waitFor } from '../../../scripts/lab/sys.js';
import { isAlive } from '../../../scripts/lab/sys.js';

const NAME = 'tlab';
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** The PIDs (host view) of every process in the lab's namespaces. */
async function labPids(plan: LabPlan): Promise<number[]> {
  const pids: number[] = [];
  for (const ns of (await listNetns()).filter((n) => n.startsWith(`tsha-${plan.name}-`))) pids.push(...(await netnsPids(ns)));
  return pids;
}

/**
 * What a lab leaves on the host: its namespaces, mounts and loop devices, and processes: its own (`known`, or
 * naming the lab folder) and any cluster daemon running in the host's own network namespace. Other labs may run
 * at the same time (other suites), so cluster daemons elsewhere are not counted.
 */
async function leftovers(plan: LabPlan, known: readonly number[] = []): Promise<{ namespaces: string[]; mounts: string[]; loops: string[]; processes: string[] }> {
  const namespaces = (await listNetns()).filter((ns) => ns.startsWith(`tsha-${plan.name}-`));
  const mounts = (await readMountTable())
    .filter((e) => [e.root, e.mountPoint, e.source].some((field) => field.includes(plan.dir)))
    .map((e) => `${e.source} ${e.mountPoint}`);
  const loops = (await execa('losetup', ['--list', '--noheadings', '--output', 'NAME,BACK-FILE'])).stdout.split('\n').filter((l) => l.includes(plan.dir));
  const hostNet = await readlink('/proc/self/ns/net');
  const processes: string[] = [];
  for (const entry of await readdir('/proc')) {
    const pid = Number(entry);
    if (!/^\d+$/.test(entry) || !isAlive(pid)) continue;
    const cmdline = (await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '')).replace(/\0/g, ' ').trim();
    const daemon = /^(\S*\/)?(corosync|pacemakerd|pacemaker-\w+)( |$)/.test(cmdline);
    const net = await readlink(`/proc/${entry}/ns/net`).catch(() => '');
    if (known.includes(pid) || cmdline.includes(plan.dir) || (daemon && net === hostNet)) processes.push(`${entry} ${cmdline}`);
  }
  return { namespaces, mounts, loops, processes };
}

/** The node a resource runs on, as the first node that is on sees it. */
async function whereIs(resource: string, from?: string): Promise<string | undefined> {
  const status = await clusterStatus({ name: NAME, ...(from ? { from } : {}) }).catch(() => undefined);
  const r = status?.resources.find((x) => x.id === resource);
  return r?.active && r.role === 'Started' && !r.failed && r.nodes.length === 1 ? r.nodes[0] : undefined;
}

async function printLogsOnFailure(this: Mocha.Context, nodes?: string[]): Promise<void> {
  if (this.currentTest?.state === 'failed') console.log(await logTails({ name: NAME }, 40, nodes));
}

describe('lab: a two-node cluster', function () {
  this.timeout(120_000);
  let lab: LabHandle;
  const plan = labPlan({ name: NAME, nodes: 2 });

  before(async function () {
    this.timeout(180_000);
    await labDown({ name: NAME });
    lab = await labUp({ name: NAME, nodes: 2 });
    console.log(`      lab up (2 nodes): every node online after ${seconds(lab.upMs)}`);
  });

  afterEach(async function () {
    await printLogsOnFailure.call(this);
  });

  after(async function () {
    this.timeout(60_000);
    await labDown({ name: NAME });
  });

  it('shows both nodes online and a DC elected, from each node, and starts the fence device', async () => {
    for (const from of ['tlab1', 'tlab2']) {
      const status = await clusterStatus({ name: NAME, from });
      expect(status.nodes.map((n) => [n.name, n.online])).to.deep.equal([['tlab1', true], ['tlab2', true]]);
      expect(status.dc).to.be.oneOf(['tlab1', 'tlab2']);
      expect(status.quorum).to.equal(true);
    }
    await waitFor('fence-lab started', 30_000, () => whereIs('fence-lab'));
    const property = await lab.exec('tlab1', ['crm_attribute', '--type', 'crm_config', '--name', 'stonith-enabled', '--query', '--quiet']);
    expect(property.stdout.trim()).to.equal('true');
  });

  it('gives every node its own hostname, PID namespace, /run, /dev/shm and the seed hosts file', async () => {
    const inits = new Set<number>();
    for (const node of plan.nodes) {
      expect((await lab.exec(node.name, ['hostname'])).stdout.trim()).to.equal(node.name);
      // corosync started by the node's init: PID 1 is perl, and the node sees its own processes only
      const ps = (await lab.exec(node.name, ['ps', '-eo', 'pid=,comm='])).stdout;
      expect(ps).to.match(/^\s*1 perl$/m);
      expect(ps).to.match(/ corosync$/m);
      expect(ps.split('\n').filter((l) => / pacemakerd$/.test(l))).to.have.length(1);
      await lab.exec(node.name, ['touch', `/run/probe-${node.name}`, `/dev/shm/probe-${node.name}`]);
      const hosts = (await lab.exec(node.name, ['cat', '/etc/hosts'])).stdout;
      expect(hosts).to.include('192.168.1.73\tcluster.home.dom cluster');
      for (const other of plan.nodes) expect(hosts).to.include(`${other.clientIp}\t${other.name}.home.dom ${other.name}`);
      expect((await lab.exec(node.name, ['ip', '-4', '-o', 'addr', 'show', 'eth2'])).stdout).to.include(`${node.replIp}/24`);
      inits.add((await nodeInit(node.name, { name: NAME }))!);
    }
    expect(inits.size).to.equal(2);
    // /run and /dev/shm are private: each node sees its own probe files only, the host none
    for (const node of plan.nodes) {
      const listed = (await lab.exec(node.name, ['ls', '/run', '/dev/shm'])).stdout.split('\n').filter((f) => f.startsWith('probe-'));
      expect(listed).to.deep.equal([`probe-${node.name}`, `probe-${node.name}`]);
      expect(existsSync(`/run/probe-${node.name}`) || existsSync(`/dev/shm/probe-${node.name}`)).to.equal(false);
    }
    // the client reaches every node by name on the client network
    for (const node of plan.nodes) await lab.exec('client', ['ping', '-c', '1', '-W', '2', `${node.name}.home.dom`]);
    // and the tsha command runs commands inside nodes
    const viaCli = await execa('tsha', ['lab', 'exec', 'tlab2', '--', 'crm_mon', '-1'], { reject: false });
    expect(viaCli.exitCode, viaCli.stderr).to.equal(0);
    expect(viaCli.stdout).to.match(/Online: \[ tlab1 tlab2 \]/);
  });

  it('moves the seed floating address (IPaddr2) when its node crashes, fences that node, which rejoins after boot', async () => {
    await lab.exec('tlab1', ['pcs', 'resource', 'create', 'ClusterIP', 'ocf:heartbeat:IPaddr2', 'ip=192.168.1.73', 'nic=eth1', 'cidr_netmask=24', 'iflabel=ethcl1', 'op', 'monitor', 'interval=5s']);
    const hasAddress = async (node: string) => (await lab.exec(node, ['ip', '-4', '-o', 'addr', 'show', 'eth1'])).stdout.includes('192.168.1.73/24');
    const first = await waitFor('ClusterIP started', 60_000, async () => {
      const node = await whereIs('ClusterIP');
      return node && (await hasAddress(node)) ? node : undefined;
    });
    const other = first === 'tlab1' ? 'tlab2' : 'tlab1';
    await lab.exec('client', ['ping', '-c', '1', '-W', '2', 'cluster.home.dom']);
    const crashed = Date.now();
    await crash(first, { name: NAME });
    expect(await isOn(first, { name: NAME })).to.equal(false);
    expect(await netnsPids(plan.nodes.find((n) => n.name === first)!.netns)).to.deep.equal([]);
    await waitFor(`ClusterIP started on ${other}`, 90_000, async () => ((await whereIs('ClusterIP', other)) === other && (await hasAddress(other)) ? true : undefined), 200);
    console.log(`      crash of ${first} → ClusterIP started on ${other}, address up, after ${seconds(Date.now() - crashed)}`);
    // the client reaches the floating address again, and no longer the crashed node's own address
    await lab.exec('client', ['ping', '-c', '1', '-W', '2', 'cluster.home.dom']);
    const ping = await lab.exec('client', ['ping', '-c', '1', '-W', '1', `${first}.home.dom`], { reject: false });
    expect(ping.exitCode).to.not.equal(0);
    const history = await fenceHistory({ name: NAME, from: other });
    expect(history.some((e) => e.target === first && e.action === 'off' && e.status === 'success' && (e.completed ?? 0) >= crashed - 1000)).to.equal(true);

    const booted = Date.now();
    await boot(first, { name: NAME });
    console.log(`      boot of ${first} → online again after ${seconds(Date.now() - booted)}`);
    const status = await clusterStatus({ name: NAME, from: first });
    expect(status.nodes.every((n) => n.online)).to.equal(true);
    // resource-stickiness keeps the address where it is, as in the seed
    expect(await whereIs('ClusterIP', first)).to.equal(other);
    expect((await lab.exec(first, ['ip', '-4', '-o', 'addr', 'show', 'eth1'])).stdout).to.not.include('192.168.1.73');
  });

  it('ends a replication-link cut with one node running resources and the other fenced', async () => {
    const cutAt = Date.now();
    // fenced since the cut (the fencer records whole seconds)
    const fencedSinceCut = async (target: string) =>
      (await fenceHistory({ name: NAME, from: 'tlab1' })).filter((e) => e.target === target && e.status === 'success' && (e.completed ?? 0) >= cutAt - 1000).length;
    await cut('tlab2', 'eth2', { name: NAME });
    // both nodes lose each other; the delay on fencing tlab1 lets tlab1 shoot first
    await waitFor('one node fenced', 60_000, async () => ((await isOn('tlab2', { name: NAME })) ? undefined : true), 200);
    console.log(`      replication cut → tlab2 fenced after ${seconds(Date.now() - cutAt)}`);
    await waitFor('ClusterIP running on tlab1', 60_000, async () => ((await whereIs('ClusterIP', 'tlab1')) === 'tlab1' ? true : undefined), 200);
    expect(await isOn('tlab1', { name: NAME })).to.equal(true);
    expect(await isOn('tlab2', { name: NAME })).to.equal(false);
    // the fencer's history can trail the recovery it allowed by a moment
    await waitFor('the fencing of tlab2 in the fence history', 20_000, async () => ((await fencedSinceCut('tlab2')) > 0 ? true : undefined), 500).catch(async () => {
      console.log(`      fence history: ${JSON.stringify(await fenceHistory({ name: NAME, from: 'tlab1' }))} (cut at ${new Date(cutAt).toISOString()})`);
    });
    expect(await fencedSinceCut('tlab2')).to.equal(1);
    expect(await fencedSinceCut('tlab1')).to.equal(0);
    const status = await clusterStatus({ name: NAME, from: 'tlab1' });
    expect(status.resources.filter((r) => r.active).every((r) => r.nodes.every((n) => n === 'tlab1'))).to.equal(true);

    await boot('tlab2', { name: NAME });
    const after = await clusterStatus({ name: NAME, from: 'tlab2' });
    expect(after.nodes.every((n) => n.online)).to.equal(true);
  });

  it("records a tsha agent's lines in the node's Pacemaker log in ocf_log's form (Agent(instance)[pid]: LEVEL: ...)", async () => {
    await lab.exec('tlab1', ['pcs', 'resource', 'create', 'LogProbe', 'ocf:tsha:IPaddr2', 'ip=192.168.1.80', 'nic=eth1', 'cidr_netmask=24']);
    const node = await waitFor('LogProbe started', 60_000, () => whereIs('LogProbe'));
    const logFile = path.join(plan.logDir, node, 'pacemaker/pacemaker.log');
    // execd records the agent's stderr as `<op>[pid] error output [ <line> ]`
    const recorded = await waitFor('the start recorded in the Pacemaker log', 20_000, async () =>
      (await readFile(logFile, 'utf8')).split('\n').find((l) => l.includes('LogProbe_start_0[') && l.includes('address added')),
    );
    await lab.exec('tlab1', ['pcs', 'resource', 'delete', 'LogProbe']);
    expect(recorded).to.match(/ LogProbe_start_0\[(\d+)\] error output \[ IPaddr2\(LogProbe\)\[\1\]: INFO: address added ip=192\.168\.1\.80 prefix=24 nic=eth1( \w+=\S+)* \]$/);
  });

  it('down leaves no namespace, mount, loop device or process behind', async () => {
    const pids = await labPids(plan);
    const before = await leftovers(plan, pids);
    expect(before.namespaces).to.have.length(4);
    // per node: unshare, init, corosync, pacemakerd and its six daemons
    expect(before.processes.length).to.be.at.least(20);
    const report = await labDown({ name: NAME });
    expect(report.namespaces).to.have.length(4);
    expect(await leftovers(plan, pids)).to.deep.equal({ namespaces: [], mounts: [], loops: [], processes: [] });
  });
});

describe('lab: a three-node cluster with a per-node extension', function () {
  this.timeout(180_000);
  const plan = labPlan({ name: NAME, nodes: 3 });
  let lab: LabHandle;
  const loops: string[] = [];

  // what a later issue does: a loop device and a file bound over a host file in each node, a command at boot,
  // and a mount on the host inside the lab folder
  const extension: LabExtension = {
    name: 'test',
    async node(node) {
      const image = path.join(node.dir, 'disk.img');
      await execa('truncate', ['-s', '16M', image]);
      loops.push((await execa('losetup', ['--find', '--show', image])).stdout.trim());
      await writeFile(path.join(node.dir, 'issue'), `lab node ${node.name}\n`);
      await mkdir(path.join(node.dir, 'mnt'), { recursive: true });
      await execa('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', path.join(node.dir, 'mnt')]);
      return { binds: [{ source: path.join(node.dir, 'issue'), target: '/etc/issue', readOnly: true }], run: [['touch', '/run/extension-ran']] };
    },
  };

  before(async function () {
    await labDown({ name: NAME });
    lab = await labUp({ name: NAME, nodes: 3, extensions: [extension] });
    console.log(`      lab up (3 nodes): every node online after ${seconds(lab.upMs)}`);
  });

  afterEach(async function () {
    await printLogsOnFailure.call(this);
  });

  after(async function () {
    await labDown({ name: NAME });
  });

  it('shows the three nodes online and a DC elected', async () => {
    const status = await clusterStatus({ name: NAME, from: 'tlab3' });
    expect(status.nodes.map((n) => [n.name, n.online])).to.deep.equal([['tlab1', true], ['tlab2', true], ['tlab3', true]]);
    expect(status.dc).to.be.oneOf(['tlab1', 'tlab2', 'tlab3']);
    expect(status.quorum).to.equal(true);
  });

  it('applies the extension inside each node only', async () => {
    for (const node of plan.nodes) {
      expect((await lab.exec(node.name, ['cat', '/etc/issue'])).stdout).to.equal(`lab node ${node.name}`);
      await lab.exec(node.name, ['test', '-e', '/run/extension-ran']);
    }
    expect(await readFile('/etc/issue', 'utf8')).to.not.include('lab node');
  });

  it('down detaches loop devices, unmounts host mounts in the lab folder and leaves nothing behind', async () => {
    const pids = await labPids(plan);
    const before = await leftovers(plan, pids);
    expect(before.loops).to.have.length(3);
    expect(before.mounts).to.have.length(3);
    expect(before.namespaces).to.have.length(5);
    expect(before.processes.length).to.be.at.least(30);
    const report = await labDown({ name: NAME });
    expect([...report.loops].sort()).to.deep.equal([...loops].sort());
    expect(await leftovers(plan, pids)).to.deep.equal({ namespaces: [], mounts: [], loops: [], processes: [] });
  });
});

describe('lab down after a half-failed up', function () {
  this.timeout(60_000);
  const plan = labPlan({ name: NAME, nodes: 2 });

  it('removes namespaces, their processes and loop devices without lab.json', async () => {
    await labDown({ name: NAME });
    // what an up that died midway leaves: some namespaces, a process in one, a loop device on a lab file
    await execa('ip', ['netns', 'add', plan.switchNs]);
    await execa('ip', ['netns', 'add', plan.nodes[0]!.netns]);
    const sleeper = execa('ip', ['netns', 'exec', plan.nodes[0]!.netns, 'sleep', '300'], { reject: false });
    await mkdir(plan.nodes[0]!.dir, { recursive: true });
    const image = path.join(plan.nodes[0]!.dir, 'disk.img');
    await execa('truncate', ['-s', '8M', image]);
    const loop = (await execa('losetup', ['--find', '--show', image])).stdout.trim();
    await waitFor('the sleeper in its namespace', 5_000, async () => ((await netnsPids(plan.nodes[0]!.netns)).length > 0 ? true : undefined), 50);
    const pids = await labPids(plan);
    const report = await labDown({ name: NAME });
    await sleeper;
    expect(report.namespaces).to.have.members([plan.switchNs, plan.nodes[0]!.netns]);
    expect(report.loops).to.deep.equal([loop]);
    expect(pids).to.have.length(1);
    expect(await leftovers(plan, pids)).to.deep.equal({ namespaces: [], mounts: [], loops: [], processes: [] });
  });
});
