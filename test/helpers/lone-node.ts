// SPDX-License-Identifier: GPL-2.0-or-later
// A node alone in its network namespace (`n1` of a lab), with one interface that has a carrier: both ends of a
// veth pair stay in the node, so the link is up and nobody answers on it.
import { createLab, type NetnsLab } from './netns.js';

export type LoneNode = { readonly lab: NetnsLab; readonly ns: string };

/** `ifname` (its peer is `<ifname>p`) with `cidr` on it, both up. */
export async function createLoneNode(label: string, ifname: string, cidr: string): Promise<LoneNode> {
  const lab = await createLab(label);
  try {
    const ns = await lab.addNamespace('n1');
    await lab.ip('n1', 'link', 'add', ifname, 'type', 'veth', 'peer', 'name', `${ifname}p`);
    await lab.ip('n1', 'link', 'set', `${ifname}p`, 'up');
    await lab.ip('n1', 'addr', 'add', cidr, 'dev', ifname);
    await lab.ip('n1', 'link', 'set', ifname, 'up');
    return { lab, ns };
  } catch (error) {
    await lab.destroy();
    throw error;
  }
}
