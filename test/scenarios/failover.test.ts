// SPDX-License-Identifier: GPL-2.0-or-later
// The seed's failover cluster end to end, in ONE two-node lab (sc1, sc2, a client) with the DRBD simulator: the
// seed's scripts with ocf:tsha agents, then faults one after the other (a resource broken by hand, the client link
// cut, the active node crashed, the replication link cut, standby, ten failovers in a row), each scenario starting
// from a clean cluster (failures cleaned up, every node on and back in sync). A watcher samples both nodes the whole
// time for /data mounted and DRBD Primary. Timings are printed, never asserted.
import { expect } from 'chai';
import {
  ExclusionWatcher,
  applyPcs,
  failedActions,
  fetchPage,
  mailCount,
  placement,
  postfixPairScript,
  prepareData,
  readDataset,
  resetStack,
  seedLabUp,
  seedFirstScript,
  seedWebScript,
  servedBy,
  standbyFailover as standbyFailoverOf,
  waitDrbdInSync,
  waitMail,
  waitServedBy,
  waitSettled,
  writeDataset,
} from '../../scripts/cluster/cluster.js';
import { CLUSTER_IP, boot, crash, cut, fenceHistory, heal, isOn, labDown, logTails, type LabHandle } from '../../scripts/lab/index.js';
import { ensurePostfix } from '../../scripts/mta.js';
import { waitFor } from '../../scripts/lab/sys.js';

const NAME = 'sc';
const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

describe('the seed\'s failover cluster: scenarios in a two-node lab', function () {
  this.timeout(240_000);
  let lab: LabHandle;
  let watcher: ExclusionWatcher | undefined;
  let nodes: [string, string];
  const other = (node: string) => (node === nodes[0] ? nodes[1] : nodes[0]);
  const pcs = (node: string, ...args: string[]) => lab.exec(node, ['pcs', ...args], { timeoutMs: 60_000 });

  const reset = () => resetStack(lab);
  const standbyFailover = (active: string) => standbyFailoverOf(lab, active);

  before(async function () {
    this.timeout(300_000);
    await ensurePostfix();
    lab = await seedLabUp(NAME);
    nodes = lab.plan.nodes.map((n) => n.name) as [string, string];
    const mails = await mailCount();
    await prepareData(lab, nodes[0]);
    const applied = Date.now();
    await applyPcs(lab, nodes[0], [...seedFirstScript(), ...seedWebScript()]);
    const { node } = await waitSettled(lab, { timeoutMs: 120_000 });
    console.log(`      lab up after ${s(lab.upMs)}; seed scripts applied → stack Started on ${node} after ${s(Date.now() - applied)}`);
    await waitMail(mails, new RegExp(` ${node}$`));
    watcher = new ExclusionWatcher(lab.plan);
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed') {
      console.log(JSON.stringify(await placement(NAME).catch(() => undefined)));
      console.log(await logTails({ name: NAME }, 40));
    }
  });

  after(async function () {
    this.timeout(60_000);
    await watcher?.stop();
    await labDown({ name: NAME });
  });

  it('runs the seed\'s stack on one node: Promoted/Unpromoted, eth1:ethcl1, /data XFS, the page on /data, a start mail', async () => {
    const node = await reset();
    const mon = (await lab.exec(node, ['crm_mon', '-1'])).stdout;
    expect(mon).to.match(/Clone Set: ClusterDrbd-clone \[ClusterDrbd\] \(promotable\)/);
    expect(mon).to.match(new RegExp(`Promoted: \\[ ${node} \\]`));
    expect(mon).to.match(new RegExp(`Unpromoted: \\[ ${other(node)} \\]`));
    for (const id of ['ClusterFs', 'ClusterIP', 'ClusterHttp', 'ClusterMailTo']) expect(mon).to.match(new RegExp(`\\* ${id}\\s.*Started ${node}`));
    const ip = (await lab.exec(node, ['ip', '-4', '-o', 'addr', 'show', 'dev', 'eth1'])).stdout;
    expect(ip).to.match(new RegExp(`inet ${CLUSTER_IP.replace(/\./g, '\\.')}/24 brd 192\\.168\\.1\\.255 .* eth1:ethcl1`));
    const mount = (await lab.exec(node, ['findmnt', '--noheadings', '--output', 'SOURCE,FSTYPE', '/data'])).stdout.trim();
    expect(mount).to.match(/^\/dev\/drbd1\s+xfs$/);
    const gone = await lab.exec(other(node), ['findmnt', '/data'], { reject: false });
    expect(gone.exitCode, 'no /data on the passive node').to.equal(1);
    expect(await fetchPage(NAME)).to.include(`Nom du serveur: ${node}`);
  });

  const breakages: [string, string, (node: string) => string[]][] = [
    ['the cluster address deleted by hand', 'ClusterIP_monitor_30000', () => ['ip', 'addr', 'del', `${CLUSTER_IP}/24`, 'dev', 'eth1']],
    ['/data unmounted by hand', 'ClusterFs_monitor_20000', () => ['umount', '/data']],
    ['the web server killed', 'ClusterHttp_monitor_10000', () => ['fuser', '--kill', '-n', 'tcp', '80']],
  ];
  for (const [what, op, argv] of breakages) {
    it(`recovers ${what}: Pacemaker's monitor sees it and the stack runs again on one node`, async () => {
      const node = await reset();
      const at = Date.now();
      await lab.exec(node, argv(node));
      // tsha's resources are reported by the event watch (lib/watch) as `<id>_asyncmon_0`, before their monitor runs
      const asyncmon = `${op.slice(0, op.indexOf('_'))}_asyncmon_0`;
      const failure = await waitFor(`${op} in the failed actions`, 60_000, async () => (await failedActions(lab, nodes[0])).find((f) => f.startsWith(op) || f.startsWith(asyncmon)), 500);
      const { node: now } = await waitSettled(lab, { timeoutMs: 90_000 });
      const served = await waitServedBy(NAME, now, at, 30_000);
      console.log(`      ${what} on ${node}: seen as ${failure} after ${s(Date.now() - at)}; served again by ${now} ${s(served.ms)} after the breakage`);
      // a failed monitor is recovered in place (migration-threshold unset), and the constraints keep the stack together
      expect(now).to.equal(node);
    });
  }

  it('moves the stack when the active node\'s client link (eth1) is cut: the address cannot start there any more', async () => {
    const node = await reset();
    const at = Date.now();
    await cut(node, 'eth1', { name: NAME });
    const served = await waitServedBy(NAME, other(node), at, 120_000);
    const { node: now } = await waitSettled(lab, { timeoutMs: 60_000 });
    const failures = await failedActions(lab, now);
    console.log(`      eth1 of ${node} cut → client served by ${other(node)} after ${s(served.ms)}; failed actions: ${failures.join(', ')}`);
    expect(now).to.equal(other(node));
    expect(failures.some((f) => f === `ClusterIP_start_0 on ${node}`), 'the start on the cut node failed').to.equal(true);
    await heal(node, 'eth1', { name: NAME });
  });

  it('fails over when the active node crashes: the other node serves the client with the data intact', async () => {
    const node = await reset();
    const survivor = other(node);
    const sums = await writeDataset(lab, node, 'crash');
    const mails = await mailCount();
    const at = Date.now();
    await crash(node, { name: NAME });
    const served = await waitServedBy(NAME, survivor, at, 120_000);
    await waitSettled(lab, { from: survivor, peers: [], timeoutMs: 60_000 });
    console.log(`      crash of ${node} → client served by ${survivor} after ${s(served.ms)}`);
    expect(await readDataset(lab, survivor, 'crash')).to.equal(sums);
    const mail = await waitMail(mails, new RegExp(` ${survivor}$`));
    expect(mail.raw).to.include('FailOver_Home');
  });

  it('keeps the resources where they are when the crashed node returns (stickiness, no preferred node)', async () => {
    const { node } = await waitSettled(lab, { from: (await isOn(nodes[0], { name: NAME })) ? nodes[0] : nodes[1], peers: [], timeoutMs: 30_000 });
    const off = other(node);
    expect(await isOn(off, { name: NAME }), `${off} is the crashed node`).to.equal(false);
    const at = Date.now();
    await boot(off, { name: NAME });
    const back = await waitSettled(lab, { from: node, peers: [off], timeoutMs: 90_000 });
    await waitDrbdInSync(lab.plan, off);
    console.log(`      ${off} booted → Unpromoted and in sync after ${s(Date.now() - at)}; the stack stayed on ${back.node}`);
    expect(back.node).to.equal(node);
    // a few more seconds: nothing moves back
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    expect(settledNode(await placement(NAME, node))).to.equal(node);
    expect(servedBy(await fetchPage(NAME))).to.equal(node);
  });

  it('lets fencing decide when the replication link (eth2) is cut: exactly one side serves', async () => {
    let node = await reset();
    // The lab's fence delay makes the first node win the fencing race. It runs the stack here: were the passive
    // node to win, the Primary would have run cut off for a while, and the two disks would come back in split
    // brain (DRBD without resource-and-stonith handlers does the same).
    if (node !== nodes[0]) node = (await standbyFailover(node)).node;
    const loser = other(node);
    const at = Date.now();
    await cut(node, 'eth2', { name: NAME });
    await waitFor(`${loser} fenced`, 60_000, async () => ((await isOn(loser, { name: NAME })) ? undefined : true), 200);
    const fencedMs = Date.now() - at;
    const { node: now } = await waitSettled(lab, { from: node, peers: [], timeoutMs: 60_000 });
    const fence = (await fenceHistory({ name: NAME, from: node })).find((e) => e.target === loser);
    console.log(`      eth2 cut → ${loser} fenced after ${s(fencedMs)} by ${fence?.delegate ?? '?'}; the stack stays on ${now}`);
    expect(now).to.equal(node);
    expect(fence?.status).to.equal('success');
    expect(await isOn(node, { name: NAME })).to.equal(true);
    expect(servedBy(await fetchPage(NAME))).to.equal(node);
    await heal(node, 'eth2', { name: NAME });
    await boot(loser, { name: NAME });
  });

  it('moves everything with pcs node standby and back with unstandby, with no failed action', async () => {
    const first = await reset();
    const there = await standbyFailover(first);
    const back = await standbyFailover(there.node);
    console.log(`      standby ${first} → served by ${there.node} after ${s(there.servedMs)}; standby ${there.node} → served by ${back.node} after ${s(back.servedMs)}`);
    expect(back.node).to.equal(first);
    expect(await failedActions(lab, first)).to.deep.equal([]);
  });

  it('places ClusterPostfixBase (score=-INFINITY with ClusterPostfix) on the passive node, and it follows it', async () => {
    const node = await reset();
    await applyPcs(lab, node, postfixPairScript());
    try {
      const where = async (from: string, active: string) =>
        waitFor('ClusterPostfix with the stack, ClusterPostfixBase on the passive node', 60_000, async () => {
          const p = await placement(NAME, from);
          const ok = p?.on.ClusterPostfix?.join() === active && p.on.ClusterPostfixBase?.join() === other(active);
          return ok ? p : undefined;
        }, 250);
      await where(node, node);
      const moved = await standbyFailover(node);
      await where(moved.node, moved.node);
      console.log(`      ClusterPostfixBase ran on ${other(node)}, then on ${node} once the stack moved to ${moved.node}`);
      expect(await failedActions(lab, moved.node)).to.deep.equal([]);
    } finally {
      await pcs(nodes[0], 'resource', 'delete', 'ClusterPostfixBase');
      await pcs(nodes[0], 'resource', 'delete', 'ClusterPostfix');
    }
  });

  it('survives 10 failovers in a row (standby of the active node): served by the new node, data intact, never two holders', async function () {
    this.timeout(600_000);
    let node = await reset();
    const sums = await writeDataset(lab, node, 'ten');
    const times: string[] = [];
    for (let i = 1; i <= 10; i++) {
      const next = other(node);
      const { node: now, servedMs } = await standbyFailover(node);
      expect(now).to.equal(next);
      expect(servedBy(await fetchPage(NAME)), `failover ${i}: served by the new node`).to.equal(next);
      expect(await readDataset(lab, now, 'ten'), `failover ${i}: data set intact`).to.equal(sums);
      times.push(s(servedMs));
      node = now;
    }
    console.log(`      10 failovers, standby → client served by the other node: ${times.join(', ')}`);
    expect(await failedActions(lab, node)).to.deep.equal([]);
    expect(watcher!.unreadable, 'mount tables the watcher could not read').to.deep.equal([]);
    expect(watcher!.doubleMounts, 'samples with /data mounted on both nodes').to.deep.equal([]);
    expect(watcher!.doublePrimaries, 'samples with two DRBD Primaries').to.deep.equal([]);
  });

  it('never had /data mounted, or DRBD Primary, on both nodes at once during all of the above', () => {
    console.log(`      watcher: ${watcher!.samples} samples of both nodes`);
    expect(watcher!.samples).to.be.greaterThan(100);
    expect(watcher!.unreadable).to.deep.equal([]);
    expect(watcher!.doubleMounts).to.deep.equal([]);
    expect(watcher!.doublePrimaries).to.deep.equal([]);
  });
});

function settledNode(p: Awaited<ReturnType<typeof placement>>): string | undefined {
  return p?.promoted.length === 1 ? p.promoted[0] : undefined;
}
