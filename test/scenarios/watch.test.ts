// SPDX-License-Identifier: GPL-2.0-or-later
// The event watch (lib/watch) in the seed's two-node lab with the DRBD simulator: each fault is reported by the
// watch (crm_resource --fail, seen as an `asyncmon` failed action) long before the next monitor would run, and the
// client is served again; a peer that disconnects changes the Primary's promotion score without a monitor; a
// standby failover reports nothing; disabling everything leaves no watch process and no watch file. Timings are
// printed, never asserted.
import { expect } from 'chai';
import { parseEvents2 } from '../../agents/drbd/events2.js';
import { DEFAULT_ADJUST_MASTER_SCORE, decideScoreForState, parseWeights } from '../../agents/drbd/score.js';
import {
  applyPcs,
  failedActions,
  placement,
  prepareData,
  seedFirstScript,
  seedLabUp,
  seedWebScript,
  waitDrbdInSync,
  waitServedBy,
  waitSettled,
} from '../../scripts/cluster/cluster.js';
import { RESOURCE, drbdsimCommand } from '../../scripts/drbdsim/lab-extension.js';
import { CLUSTER_IP, isOn, labDown, logTails, type LabHandle } from '../../scripts/lab/index.js';
import { waitFor } from '../../scripts/lab/sys.js';
import { ensurePostfix } from '../../scripts/mta.js';

const NAME = 'wl';
const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const WATCH_DIR = '/run/resource-agents/tsha-watch';

describe('the event watch in the seed\'s two-node lab', function () {
  this.timeout(240_000);
  let lab: LabHandle;
  let nodes: [string, string];
  const other = (node: string) => (node === nodes[0] ? nodes[1] : nodes[0]);
  const pcs = (node: string, ...args: string[]) => lab.exec(node, ['pcs', ...args], { timeoutMs: 60_000 });
  const drbdsim = () => drbdsimCommand(lab.plan);

  /** The watch daemons of a node (by their argv), with RSS (KiB) and CPU time as ps prints them. */
  async function daemons(node: string): Promise<string[]> {
    const ps = await lab.exec(node, ['ps', '-eo', 'pid=,rss=,time=,args='], { reject: false });
    return ps.stdout
      .split('\n')
      .filter((l) => l.includes('/lib/watch/daemon-main.js'))
      .map((l) => l.trim().split(/\s+/).slice(0, 3).join(' '));
  }
  const watchFiles = async (node: string): Promise<string[]> =>
    (await lab.exec(node, ['sh', '-c', `ls -A ${WATCH_DIR} 2>/dev/null || true`])).stdout.split('\n').filter(Boolean).sort();

  async function reset(): Promise<string> {
    const from = nodes[0];
    await pcs(from, 'node', 'unstandby', '--all');
    if ((await failedActions(lab, from)).length > 0) await pcs(from, 'resource', 'cleanup');
    const { node } = await waitSettled(lab, { from, timeoutMs: 120_000 });
    await waitDrbdInSync(lab.plan, other(node));
    await waitServedBy(NAME, node, Date.now(), 30_000);
    return node;
  }

  before(async function () {
    this.timeout(300_000);
    await ensurePostfix();
    lab = await seedLabUp(NAME);
    nodes = lab.plan.nodes.map((n) => n.name) as [string, string];
    await prepareData(lab, nodes[0]);
    await applyPcs(lab, nodes[0], [...seedFirstScript(), ...seedWebScript()]);
    const { node } = await waitSettled(lab, { timeoutMs: 120_000 });
    console.log(`      lab up, the seed's stack Started on ${node}`);
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed') {
      console.log(JSON.stringify(await placement(NAME).catch(() => undefined)));
      console.log(await logTails({ name: NAME }, 60));
    }
  });

  after(async function () {
    this.timeout(60_000);
    await labDown({ name: NAME });
  });

  it('runs one watch daemon per node, with a registration per started tsha resource', async () => {
    const node = await reset();
    for (const n of nodes) expect(await daemons(n), `daemons on ${n}`).to.have.length(1);
    const active = await watchFiles(node);
    expect(active.filter((f) => f.endsWith('.json'))).to.deep.equal(['Filesystem_ClusterFs.json', 'IPaddr2_ClusterIP.json', 'drbd_ClusterDrbd.json']);
    expect((await watchFiles(other(node))).filter((f) => f.endsWith('.json'))).to.deep.equal(['drbd_ClusterDrbd.json']);
  });

  const faults: [string, string, (node: string) => string[]][] = [
    ['the cluster address deleted by hand', 'ClusterIP', () => ['ip', 'addr', 'del', `${CLUSTER_IP}/24`, 'dev', 'eth1']],
    ['/data unmounted by hand (lazily)', 'ClusterFs', () => ['umount', '-l', '/data']],
    ['the client link (eth1) down', 'ClusterIP', () => ['ip', 'link', 'set', 'eth1', 'down']],
  ];
  /** The fault, the failure reported by the watch, the client served again; timings printed. */
  function faultCase([what, id, argv]: (typeof faults)[number]): void {
    it(`reports ${what} at once (asyncmon failure) and the client is served again`, async () => {
      const node = await reset();
      const at = Date.now();
      await lab.exec(node, argv(node));
      const failure = await waitFor(`${id} in the failed actions`, 60_000, async () => (await failedActions(lab, nodes[0])).find((f) => f.startsWith(`${id}_`)), 100);
      const seenMs = Date.now() - at;
      const served = await waitFor('the client served', 120_000, async () => {
        for (const n of nodes) {
          const r = await waitServedBy(NAME, n, at, 200).catch(() => undefined);
          if (r) return { ...r, node: n };
        }
        return undefined;
      }, 100);
      console.log(`      ${what} on ${node}: ${failure} after ${s(seenMs)}; client served by ${served.node} ${s(served.ms)} after the fault`);
      expect(failure).to.match(new RegExp(`^${id}_asyncmon_0 on ${node}$`));
      if (what.includes('eth1')) await lab.exec(node, ['ip', 'link', 'set', 'eth1', 'up']);
    });
  }
  for (const fault of faults) faultCase(fault);

  it('changes a promotion score as soon as the peer disconnects, without a monitor', async () => {
    const node = await reset();
    const weights = parseWeights(DEFAULT_ADJUST_MASTER_SCORE);
    if (!weights.ok) throw new Error(weights.problem);
    const score = async (n: string) => {
      const q = await lab.exec(n, ['crm_attribute', '--node', n, '--name', 'master-ClusterDrbd', '--lifetime', 'reboot', '--query', '--quiet'], { reject: false });
      return q.exitCode === 0 ? q.stdout.trim() : 'delete';
    };
    const table = async (n: string) => {
      const events = await lab.exec(n, ['drbdsetup', 'events2', '--now', RESOURCE]);
      const d = decideScoreForState(parseEvents2(events.stdout, RESOURCE), weights.weights);
      return d.action === 'set' ? String(d.score) : d.action;
    };
    const before = Object.fromEntries(await Promise.all(nodes.map(async (n) => [n, await score(n)] as const)));
    const at = Date.now();
    await lab.exec(other(node), ['drbdadm', 'disconnect', RESOURCE]);
    try {
      // the node (or nodes) whose score the table now puts elsewhere, and the CIB following it
      const moved = await waitFor('a score the table changes, set in the CIB', 10_000, async () => {
        for (const n of nodes) {
          const t = await table(n);
          if (t !== before[n] && (await score(n)) === t) return { n, t };
        }
        return undefined;
      }, 50);
      console.log(`      peer disconnected: promotion score of ${moved.n} ${before[moved.n]} → ${moved.t} in the CIB after ${s(Date.now() - at)} (monitors every 29/31 s)`);
    } finally {
      await lab.exec(other(node), ['drbdadm', 'connect', RESOURCE], { reject: false });
    }
    await waitDrbdInSync(lab.plan, other(node));
  });

  it('reports nothing during a standby failover and back', async () => {
    const node = await reset();
    const next = other(node);
    await pcs(next, 'node', 'standby', node);
    await waitSettled(lab, { from: next, peers: [], timeoutMs: 90_000 });
    await pcs(next, 'node', 'unstandby', node);
    await waitSettled(lab, { from: next, peers: [node], timeoutMs: 90_000 });
    await waitDrbdInSync(lab.plan, node);
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(await failedActions(lab, next)).to.deep.equal([]);
  });

  it('leaves no watch process and no watch file once every resource is disabled', async () => {
    const on = (await Promise.all(nodes.map(async (n) => ((await isOn(n, { name: NAME })) ? n : undefined)))).filter((n): n is string => n !== undefined);
    const node = on[0]!;
    for (const n of on) console.log(`      ${n}: watch daemon pid rss(KiB) cpu: ${(await daemons(n)).join('; ')}`);
    await pcs(node, 'resource', 'disable', 'ClusterDrbd-clone', 'ClusterFs', 'ClusterIP', 'ClusterHttp', 'ClusterMailTo');
    await waitFor('everything stopped', 90_000, async () => {
      const p = await placement(NAME, node);
      return p && Object.keys(p.on).every((id) => id.startsWith('fence')) ? true : undefined;
    }, 500);
    for (const n of on) {
      await waitFor(`no watch daemon on ${n}`, 10_000, async () => ((await daemons(n)).length === 0 ? true : undefined), 200);
      expect(await watchFiles(n), `watch files on ${n}`).to.deep.equal([]);
      const ps = (await lab.exec(n, ['ps', '-eo', 'args='])).stdout.split('\n');
      const sources = ps.filter((l) => /^ip -o monitor link address|^findmnt --poll|drbdsetup events2 all$/.test(l.trim()));
      expect(sources, `event sources on ${n}`).to.deep.equal([]);
    }
    await pcs(node, 'resource', 'enable', 'ClusterDrbd-clone', 'ClusterFs', 'ClusterIP', 'ClusterHttp', 'ClusterMailTo');
  });

  // the simulator has no repair for a failed disk but a new life of its node: this fault comes last
  faultCase(['the DRBD disk failed on the Primary', 'ClusterDrbd', () => [drbdsim(), 'fail-disk', RESOURCE]]);
});
