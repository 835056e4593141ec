// SPDX-License-Identifier: GPL-2.0-or-later
// Two simulated DRBD nodes' replication link outside a lab: a network namespace each, joined by a veth pair that
// is eth2 on both sides (its addresses exist only inside those namespaces). Shared by tests and benchmarks.
import { execa } from 'execa';

export type PairNode = { readonly ns: string; readonly address: string };

/** Creates both namespaces and the link; `tag` names the veth ends while they are still in the host's namespace. */
export async function linkPair(tag: string, nodes: readonly [PairNode, PairNode]): Promise<void> {
  for (const node of nodes) await execa('ip', ['netns', 'add', node.ns]);
  await execa('ip', ['link', 'add', `${tag}va`, 'type', 'veth', 'peer', 'name', `${tag}vb`]);
  for (const [node, veth] of [[nodes[0], `${tag}va`], [nodes[1], `${tag}vb`]] as const) {
    await execa('ip', ['link', 'set', veth, 'netns', node.ns]);
    await execa('ip', ['-n', node.ns, 'link', 'set', veth, 'name', 'eth2']);
    await execa('ip', ['-n', node.ns, 'addr', 'add', `${node.address}/24`, 'dev', 'eth2']);
    await execa('ip', ['-n', node.ns, 'link', 'set', 'eth2', 'up']);
    await execa('ip', ['-n', node.ns, 'link', 'set', 'lo', 'up']);
  }
}
