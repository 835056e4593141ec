// SPDX-License-Identifier: GPL-2.0-or-later
// The seed's eth1 side in namespaces: a switch (a bridge in its own namespace) with nodes and a client on it,
// 192.168.1.0/24 and 2001:db8:1::/64 (documentation prefixes, never routed outside the namespaces).
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { spawnAgent, type AgentRun, type AgentRunOptions } from '../../helpers/agent.js';
import { createLab, type NetnsLab } from '../../helpers/netns.js';

export const SEED = { ip: '192.168.1.73', nic: 'eth1', cidr_netmask: '24', iflabel: 'ethcl1', lvs_support: 'true' } as const;
export const HEARTBEAT = '/usr/lib/ocf/resource.d/heartbeat/IPaddr2';

export type Host = { readonly name: string; readonly ns: string; readonly v4: string; readonly v6: string; readonly rsctmp: string };

export type Lan = {
  readonly lab: NetnsLab;
  readonly hosts: Readonly<Record<string, Host>>;
  /** Runs ocf:tsha:IPaddr2 (or `path`) inside a host, with that host's own HA_RSCTMP. */
  agent(host: string, action: string, params: Record<string, string>, options?: AgentRunOptions): Promise<AgentRun>;
  /** The addresses of ip on the host's eth1, as `ip -j addr` shows them. */
  vip(host: string, ip: string, dev?: string): Promise<Record<string, unknown>[]>;
  destroy(): Promise<void>;
};

/** Hosts named in `names` get eth1 on one bridge with 192.168.1.(11+i) and 2001:db8:1::(11+i). */
export async function createLan(label: string, names: readonly string[]): Promise<Lan> {
  const lab = await createLab(label);
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'tsha-ipaddr2-'));
  const hosts: Record<string, Host> = {};
  try {
    await lab.addNamespace('sw');
    await lab.addBridge('sw', 'br0');
    for (const [i, name] of names.entries()) {
      const ns = await lab.addNamespace(name);
      await lab.plug(name, 'eth1', 'sw', 'br0');
      const host: Host = { name, ns, v4: `192.168.1.${11 + i}`, v6: `2001:db8:1::${11 + i}`, rsctmp: path.join(tmp, name) };
      await lab.ip(name, 'addr', 'add', `${host.v4}/24`, 'brd', '+', 'dev', 'eth1');
      await lab.ip(name, 'addr', 'add', `${host.v6}/64`, 'dev', 'eth1', 'nodad');
      hosts[name] = host;
    }
  } catch (error) {
    await lab.destroy();
    await rm(tmp, { recursive: true, force: true });
    throw error;
  }
  const host = (name: string): Host => {
    const h = hosts[name];
    if (!h) throw new Error(`no host ${name}`);
    return h;
  };
  return {
    lab,
    hosts,
    agent: (name, action, params, options = {}) =>
      spawnAgent('IPaddr2', action, {
        instance: 'ClusterIP',
        ...options,
        params,
        netns: host(name).ns,
        env: { HA_RSCTMP: host(name).rsctmp, ...options.env },
      }),
    vip: async (name, ip, dev = 'eth1') => {
      const [link] = JSON.parse(await lab.ip(name, '-j', 'addr', 'show', 'dev', dev)) as { addr_info: Record<string, unknown>[] }[];
      return (link?.addr_info ?? []).filter((a) => a.local === ip);
    },
    destroy: async () => {
      await lab.destroy();
      await rm(tmp, { recursive: true, force: true });
    },
  };
}
