// SPDX-License-Identifier: GPL-2.0-or-later
// Throw-away networks for system tests: network namespaces joined by veth pairs and bridges. Every address a
// test uses lives only inside them. A lab deletes what it created (processes first, then namespaces) even when
// the test failed, and removes namespaces left behind by earlier runs that died.
import { readdirSync } from 'node:fs';
import { execa, execaSync, type Options } from 'execa';
import { isAlive } from '../../scripts/lab/sys.js';

const PREFIX = 'tsha';
const NETNS_DIR = '/run/netns';
// tsha-<pid>-<lab>-<name>: the pid tells whether the run that made it is still alive.
const OURS = /^tsha-(\d+)-/;

export type LinkEnd = { readonly ns: string; readonly name: string };

export type NetnsLab = {
  /** The real namespace name of a short name given to addNamespace. */
  ns(short: string): string;
  addNamespace(short: string): Promise<string>;
  /** A bridge, up, in a namespace of the lab. */
  addBridge(short: string, bridge: string): Promise<void>;
  /** A veth pair with one end in each namespace (short names), both ends up. */
  addVeth(a: LinkEnd, b: LinkEnd): Promise<void>;
  /** A veth from `ifname` in `short` to a port of `bridge` in `bridgeNs`; returns the port name. */
  plug(short: string, ifname: string, bridgeNs: string, bridge: string): Promise<string>;
  /** Runs a command inside a namespace; rejects on failure unless options say otherwise. */
  run(short: string, file: string, args: readonly string[], options?: Options): Promise<{ exitCode?: number | undefined; stdout: string; stderr: string }>;
  /** `ip <args>` inside a namespace; rejects on failure. */
  ip(short: string, ...args: string[]): Promise<string>;
  /** The MAC address of an interface. */
  mac(short: string, ifname: string): Promise<string>;
  /** Kills every process inside the lab's namespaces and deletes them. Safe to call twice. */
  destroy(): Promise<void>;
};

let labCounter = 0;

function listNamespaces(): string[] {
  try {
    return readdirSync(NETNS_DIR);
  } catch {
    return [];
  }
}

function killInside(ns: string): void {
  try {
    const pids = execaSync('ip', ['netns', 'pids', ns], { reject: false }).stdout;
    for (const pid of String(pids).split(/\s+/).filter(Boolean).map(Number)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone already
      }
    }
  } catch {
    // ip missing or namespace gone
  }
}

function deleteNamespace(ns: string): void {
  killInside(ns);
  execaSync('ip', ['netns', 'del', ns], { reject: false });
}

/** Deletes namespaces of earlier test runs whose process is gone. */
export function removeStaleNamespaces(): string[] {
  const removed: string[] = [];
  for (const ns of listNamespaces()) {
    const pid = Number(OURS.exec(ns)?.[1] ?? NaN);
    if (Number.isInteger(pid) && pid !== process.pid && !isAlive(pid)) {
      deleteNamespace(ns);
      removed.push(ns);
    }
  }
  return removed;
}

const liveLabs = new Set<string[]>();
let exitHookInstalled = false;
// If mocha is interrupted before its after-hooks run, the namespaces still go.
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const names of liveLabs) for (const ns of names) deleteNamespace(ns);
  });
}

export async function createLab(label: string): Promise<NetnsLab> {
  removeStaleNamespaces();
  installExitHook();
  const id = `${PREFIX}-${process.pid}-${label}${++labCounter}`;
  const created: string[] = [];
  liveLabs.add(created);
  let ports = 0;

  const ns = (short: string): string => {
    const full = `${id}-${short}`;
    if (!created.includes(full)) throw new Error(`namespace \`${short}\` is not part of lab ${id}`);
    return full;
  };
  const ip = async (short: string, ...args: string[]): Promise<string> => {
    const result = await execa('ip', ['-n', ns(short), ...args]);
    return String(result.stdout);
  };

  const lab: NetnsLab = {
    ns,
    async addNamespace(short) {
      const full = `${id}-${short}`;
      await execa('ip', ['netns', 'add', full]);
      created.push(full);
      await execa('ip', ['-n', full, 'link', 'set', 'lo', 'up']);
      return full;
    },
    async addBridge(short, bridge) {
      await ip(short, 'link', 'add', bridge, 'type', 'bridge');
      // no STP delay, no multicast snooping surprises: a plain hub for tests
      await ip(short, 'link', 'set', bridge, 'type', 'bridge', 'stp_state', '0', 'forward_delay', '0');
      await ip(short, 'link', 'set', bridge, 'up');
    },
    async addVeth(a, b) {
      await ip(a.ns, 'link', 'add', a.name, 'type', 'veth', 'peer', 'name', b.name, 'netns', ns(b.ns));
      await ip(a.ns, 'link', 'set', a.name, 'up');
      await ip(b.ns, 'link', 'set', b.name, 'up');
    },
    async plug(short, ifname, bridgeNs, bridge) {
      const port = `port${++ports}`;
      await lab.addVeth({ ns: bridgeNs, name: port }, { ns: short, name: ifname });
      await ip(bridgeNs, 'link', 'set', port, 'master', bridge);
      return port;
    },
    async run(short, file, args, options = {}) {
      const result = await execa('ip', ['netns', 'exec', ns(short), file, ...args], { stdin: 'ignore', ...options });
      return { exitCode: result.exitCode, stdout: String(result.stdout ?? ''), stderr: String(result.stderr ?? '') };
    },
    ip,
    async mac(short, ifname) {
      const [link] = JSON.parse(await ip(short, '-j', 'link', 'show', 'dev', ifname)) as { address: string }[];
      if (!link) throw new Error(`no interface ${ifname} in ${short}`);
      return link.address;
    },
    async destroy() {
      for (const full of created.splice(0).reverse()) deleteNamespace(full);
      liveLabs.delete(created);
    },
  };
  return lab;
}
