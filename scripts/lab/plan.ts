// SPDX-License-Identifier: GPL-2.0-or-later
// The lab's layout as data: node names, namespaces, addresses and folders. Pure, so every other part (and the
// tests) agree on one plan.
import path from 'node:path';

/** Where labs keep their state and logs: on the host's root filesystem, so it is visible inside every node. */
export const LAB_ROOT = '/var/lib/tsha-lab';
export const DEFAULT_NAME = 'fo';
export const DEFAULT_NODES = 2;
export const MIN_NODES = 2;
export const MAX_NODES = 5;

/**
 * Lab-only prefixes, as in the seed tutorial. They are configured inside the lab's namespaces alone (never on a
 * host interface), so they cannot clash with the machine's own networks.
 */
export const CLIENT_PREFIX = '192.168.1';
export const REPL_PREFIX = '192.168.2';
export const PREFIX_LENGTH = 24;
/** The seed's floating address (cluster.home.dom); no node is ever given it. */
export const CLUSTER_IP = `${CLIENT_PREFIX}.73`;
export const CLIENT_IP = `${CLIENT_PREFIX}.100`;
export const CLIENT_DOMAIN = 'home.dom';
export const REPL_DOMAIN = 'data.dom';

export type LabNode = {
  /** fo1, fo2, ...: corosync and Pacemaker node name, and hostname. */
  readonly name: string;
  readonly index: number;
  /** Address on the client network (eth1). */
  readonly clientIp: string;
  /** Address on the replication network (eth2), where corosync talks. */
  readonly replIp: string;
  /** `ip netns` name of the node. */
  readonly netns: string;
  /** The node's private folders and control files. */
  readonly dir: string;
  /** Bind-mounted over the node's /var/log. */
  readonly logDir: string;
};

export type LabPlan = {
  readonly name: string;
  /** The lab's folder: lab.json, init.pl, nodes/<node>/, logs/<node>/. */
  readonly dir: string;
  readonly logDir: string;
  readonly nodes: readonly LabNode[];
  /** Holds the two bridges, br-client and br-repl. */
  readonly switchNs: string;
  /** A host on the client network. */
  readonly clientNs: string;
};

/** Host part of node i (1-based): .71, .72 as in the seed, then .74 up, skipping the floating .73. */
export function hostPart(index: number): number {
  return index <= 2 ? 70 + index : 71 + index;
}

export function validateName(name: string): string {
  // node names (name + index) become interface names (`fo1-e1`, 15 characters at most); a name ending in a letter
  // lets a node name tell its lab
  if (!/^[a-z](?:[a-z0-9]{0,6}[a-z])?$/.test(name)) {
    throw new Error(`lab name \`${name}\` must be 1-8 lower-case letters or digits, starting and ending with a letter`);
  }
  return name;
}

export function validateNodeCount(nodes: number): number {
  if (!Number.isInteger(nodes) || nodes < MIN_NODES || nodes > MAX_NODES) {
    throw new Error(`expected --nodes to be an integer from ${MIN_NODES} to ${MAX_NODES}, got \`${nodes}\``);
  }
  return nodes;
}

export function labPlan(options: { name?: string; nodes?: number; root?: string } = {}): LabPlan {
  const name = validateName(options.name ?? DEFAULT_NAME);
  const count = validateNodeCount(options.nodes ?? DEFAULT_NODES);
  const dir = path.join(options.root ?? LAB_ROOT, name);
  const logDir = path.join(dir, 'logs');
  const nodes = Array.from({ length: count }, (_, i): LabNode => {
    const index = i + 1;
    const nodeName = `${name}${index}`;
    return {
      name: nodeName,
      index,
      clientIp: `${CLIENT_PREFIX}.${hostPart(index)}`,
      replIp: `${REPL_PREFIX}.${hostPart(index)}`,
      netns: `tsha-${name}-${nodeName}`,
      dir: path.join(dir, 'nodes', nodeName),
      logDir: path.join(logDir, nodeName),
    };
  });
  return { name, dir, logDir, nodes, switchNs: `tsha-${name}-switch`, clientNs: `tsha-${name}-client` };
}

/** Every namespace name a lab may have created (for teardown, which must not trust lab.json). */
export function isLabNetns(name: string, netns: string): boolean {
  return netns.startsWith(`tsha-${name}-`);
}

export function findNode(plan: LabPlan, name: string): LabNode {
  const node = plan.nodes.find((n) => n.name === name);
  if (!node) throw new Error(`lab ${plan.name} has no node \`${name}\` (nodes: ${plan.nodes.map((n) => n.name).join(', ')})`);
  return node;
}

/** Switch-side name of a node's link: `fo1-e1` for eth1. */
export function switchPort(node: string, nic: Nic): string {
  return `${node}-e${nic === 'eth1' ? 1 : 2}`;
}

export type Nic = 'eth1' | 'eth2';
export const NICS: readonly Nic[] = ['eth1', 'eth2'];

/** Per-node control files shared between the host, the node's init and the fence agent. */
export function controlFiles(nodeDir: string) {
  return {
    /** Held (flock) by the node's init for as long as the node runs: free means powered off. */
    alive: path.join(nodeDir, 'alive'),
    /** Created by the fence agent to ask the node's init to power the node off. */
    powerOff: path.join(nodeDir, 'power-off'),
    setup: path.join(nodeDir, 'setup.sh'),
  } as const;
}
