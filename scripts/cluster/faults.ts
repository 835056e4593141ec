// SPDX-License-Identifier: GPL-2.0-or-later
// The faults of the seed's lab that the event watch (lib/watch) is for, each injected on the active node and timed
// from the fault to the failure standing in crm_mon and to the client served again, with Pacemaker's recovery
// actions from the nodes' logs. Shared by `make bench-faults` (scripts/bench/faults.ts) and `make demo`.
import { eventsSince, markLogs } from '../bench/lab-log.js';
import { actions } from '../bench/pacemaker-log.js';
import { RESOURCE, drbdsimCommand } from '../drbdsim/lab-extension.js';
import { CLUSTER_IP, boot, crash, cut, heal, isOn, type LabHandle } from '../lab/index.js';
import { waitFor } from '../lab/sys.js';
import { failedActions, fetchPage, otherNode, resetStack, servedBy } from './cluster.js';

export type Fault = {
  readonly name: string;
  /** Breaks the stack on the active node. */
  inject(lab: LabHandle, node: string): Promise<void>;
  /** Puts back what inject broke outside the cluster's reach (a link), once the stack has moved or recovered. */
  repair?(lab: LabHandle, node: string): Promise<void>;
};

export const FAULTS: readonly Fault[] = [
  { name: 'the cluster address deleted by hand', inject: (lab, node) => lab.exec(node, ['ip', 'addr', 'del', `${CLUSTER_IP}/24`, 'dev', 'eth1']).then(() => undefined) },
  {
    name: "the active node's client link (eth1) unplugged",
    inject: (lab, node) => cut(node, 'eth1', { name: lab.plan.name }),
    repair: (lab, node) => heal(node, 'eth1', { name: lab.plan.name }),
  },
  { name: '/data unmounted by hand (lazily)', inject: (lab, node) => lab.exec(node, ['umount', '-l', '/data']).then(() => undefined) },
  { name: 'the web server killed (not ours: reference)', inject: (lab, node) => lab.exec(node, ['fuser', '--kill', '-n', 'tcp', '80']).then(() => undefined) },
  {
    name: 'the DRBD disk failed on the Primary',
    inject: (lab, node) => lab.exec(node, [drbdsimCommand(lab.plan), 'fail-disk', RESOURCE]).then(() => undefined),
    // the simulator has no repair for a failed disk but a new life of the node (its daemon attaches the disk again)
    repair: async (lab, node) => {
      if (await isOn(node, { name: lab.plan.name })) await crash(node, { name: lab.plan.name });
      await boot(node, { name: lab.plan.name });
    },
  },
];

/** One action of the recovery, from Pacemaker's log: ms from the fault to its request and to its result. */
export type Step = { action: string; fromMs: number; toMs: number };
export type FaultRun = { detectedMs: number; servedMs: number; movedTo: string; failures: string[]; steps: Step[] };


/** One fault: time to the failure standing in crm_mon, then to the client served by wherever the stack settled. */
export async function runFault(lab: LabHandle, fault: Fault): Promise<FaultRun> {
  const node = await resetStack(lab);
  const from = otherNode(lab, node);
  const mark = await markLogs(lab);
  const at = Date.now();
  await fault.inject(lab, node);
  const failures = await waitFor(`a failure recorded after ${fault.name}`, 90_000, async () => {
    const found = await failedActions(lab, from);
    return found.length > 0 ? found : undefined;
  }, 100);
  const detectedMs = Date.now() - at;
  // served again: the first page after the failure stands (a DRBD disk failure may never interrupt the client)
  const served = await waitFor('the client served again', 120_000, async () => {
    const by = servedBy(await fetchPage(lab.plan.name));
    return by ? { ms: Date.now() - at, node: by } : undefined;
  }, 100);
  const now = served.node;
  const steps = actions(await eventsSince(lab, mark), at)
    .filter((a) => a.requestedAt - at <= served.ms)
    .map((a) => ({ action: `${a.rsc} ${a.op} on ${a.on}`, fromMs: a.requestedAt - at, toMs: a.resultAt - at }));
  await fault.repair?.(lab, node);
  return { detectedMs, servedMs: served.ms, movedTo: now, failures, steps };
}

