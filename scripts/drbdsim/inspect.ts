// SPDX-License-Identifier: GPL-2.0-or-later
// What `drbdsim` prints: the simulated DRBD state of every node in the shared state folder.
import { snapshotOf } from './client.js';
import { promotionInfo } from './format.js';
import { listNodes, readMeta } from './store.js';
import type { ResourceSnap } from './types.js';

export type NodeResourceState = {
  node: string;
  resource: string;
  up: boolean;
  snapshot?: ResourceSnap | undefined;
  meta?: { disk: string; gen: string; history: string[] } | undefined;
};

export async function collect(stateDir: string, only?: string): Promise<NodeResourceState[]> {
  const out: NodeResourceState[] = [];
  for (const { node, resources } of listNodes(stateDir)) {
    for (const resource of resources) {
      if (only && resource !== only) continue;
      const snapshot = await snapshotOf(stateDir, node, resource);
      const meta = readMeta(stateDir, node, resource);
      out.push({
        node,
        resource,
        up: snapshot !== undefined,
        snapshot,
        meta: meta && { disk: meta.disk, gen: meta.gen, history: meta.history.slice(0, 4) },
      });
    }
  }
  return out;
}

export function describe(states: NodeResourceState[]): string {
  if (states.length === 0) return 'no simulated DRBD resource\n';
  const lines: string[] = [];
  for (const s of states) {
    const gen = s.meta ? ` gen:${s.meta.gen}` : '';
    if (!s.snapshot) {
      lines.push(`${s.resource}@${s.node}: down (on-disk ${s.meta?.disk ?? 'none'}${gen})`);
      continue;
    }
    const snap = s.snapshot;
    const dev = snap.devices.map((d) => `${d.minor}:${d.disk}`).join(',') || 'no devices';
    const p = promotionInfo(snap);
    lines.push(`${s.resource}@${s.node}: node-id:${snap.nodeId} role:${snap.role} disk:${dev}${gen} may_promote:${p.mayPromote ? 'yes' : 'no'} promotion_score:${p.score}`);
    for (const c of snap.connections) {
      const pd = c.peerDevices[0];
      const sync = pd?.done !== undefined ? ` done:${pd.done.toFixed(2)}` : '';
      lines.push(`  -> ${c.name} (node-id:${c.peerNodeId}) ${c.connection} peer-role:${c.role} peer-disk:${pd?.peerDisk ?? 'DUnknown'} replication:${pd?.replication ?? 'Off'}${sync}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

