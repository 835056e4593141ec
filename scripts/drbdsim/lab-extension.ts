// SPDX-License-Identifier: GPL-2.0-or-later
// A lab extension that gives every node the seed's DRBD resource `drbddata` on the drbdadm/drbdsetup simulator:
// the simulator's wrappers bound over /usr/sbin/drbdadm and /usr/sbin/drbdsetup inside each node, /etc/drbd.conf
// defining drbddata on the nodes' replication addresses (eth2), and one loop device standing for the replicated
// disk (/dev/drbd1). Everything lives in the lab folder, so `lab down` removes it
// (loop device included). Shared by the drbd agent's cluster test, the scenario tests and `make demo`.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { snapshotOf } from './client.js';
import { initMetadata, installWrappers, writeDrbdConf } from './setup.js';
import type { ResourceSnap } from './types.js';
import type { LabExtension } from '../lab/index.js';
import type { LabPlan } from '../lab/plan.js';

export const RESOURCE = 'drbddata';

export const drbdStateDir = (plan: LabPlan): string => path.join(plan.dir, 'drbdsim', 'state');
/** The `drbdsim` command of a lab's nodes (fail-disk and the like; not on their PATH). */
export const drbdsimCommand = (plan: LabPlan): string => path.join(plan.dir, 'drbdsim', 'bin', 'drbdsim');

/** More resources beside the seed's, for tests that drive the agent directly (not through Pacemaker). */
export type ExtraResource = {
  readonly resource: string;
  readonly port: number;
  readonly device: string;
  /** Initial disk state per node index (0-based); UpToDate (same data generation) when absent. */
  readonly inconsistentOn?: readonly number[];
};

export type DrbdLabOptions = {
  /** Size of the replicated disk (a sparse file), default 32 MiB; XFS wants 300 MiB at least. */
  readonly sizeMb?: number;
  /**
   * A private /dev per node (a tmpfs holding copies of the host's device nodes, made at boot): the simulator's
   * /dev/drbd1 is then the node's own, so that another lab (or test) using /dev/drbd1 on this machine at the same
   * time cannot point it at its own disk. Device nodes created on the host after a node's boot do not appear in it.
   */
  readonly privateDev?: boolean;
};

/** Runs in the node's mount namespace at boot, before corosync (see DrbdLabOptions.privateDev). */
const PRIVATE_DEV = [
  'set -e',
  'mkdir -p /run/tsha-host-dev',
  // not recursive: /dev/shm, /dev/pts and the like are mounted afresh below
  'mount --bind /dev /run/tsha-host-dev',
  'mount -t tmpfs -o mode=0755,size=8m tsha-dev /dev',
  'cp -a /run/tsha-host-dev/. /dev/ 2>/dev/null || true',
  'umount /run/tsha-host-dev',
  'rmdir /run/tsha-host-dev',
  'mkdir -p /dev/shm /dev/pts',
  'mount -t tmpfs -o mode=1777,size=256m tmpfs /dev/shm',
  'mount -t devpts -o newinstance,ptmxmode=0666,mode=0620 devpts /dev/pts',
].join('\n');

export function drbdLabExtension(extra: readonly ExtraResource[] = [], options: DrbdLabOptions = {}): LabExtension {
  let prepared: { conf: string; bin: string } | undefined;
  return {
    name: 'drbd',
    async node(_node, plan) {
      if (!prepared) {
        const root = path.join(plan.dir, 'drbdsim');
        await mkdir(root, { recursive: true });
        const image = path.join(root, 'disk.img');
        await execa('truncate', ['-s', `${options.sizeMb ?? 32}M`, image]);
        const loop = (await execa('losetup', ['--find', '--show', image])).stdout.trim();
        const conf = writeDrbdConf(path.join(root, 'etc'), {
          resource: RESOURCE,
          nodes: plan.nodes.map((n) => ({ name: n.name, address: n.replIp, disk: loop })),
        }).confFile;
        initMetadata(drbdStateDir(plan), RESOURCE, plan.nodes.map((n) => n.name));
        for (const x of extra) {
          writeDrbdConf(path.join(root, 'etc'), {
            resource: x.resource,
            port: x.port,
            device: x.device,
            nodes: plan.nodes.map((n) => ({ name: n.name, address: n.replIp, disk: loop })),
          });
          const names = plan.nodes.map((n) => n.name);
          const bad = names.filter((_, i) => x.inconsistentOn?.includes(i));
          initMetadata(drbdStateDir(plan), x.resource, names.filter((n) => !bad.includes(n)));
          if (bad.length > 0) initMetadata(drbdStateDir(plan), x.resource, bad, 'Inconsistent');
        }
        const bin = path.join(root, 'bin');
        installWrappers(bin, { stateDir: drbdStateDir(plan) });
        prepared = { conf, bin };
      }
      return {
        binds: [
          { source: path.join(prepared.bin, 'drbdadm'), target: '/usr/sbin/drbdadm', readOnly: true },
          { source: path.join(prepared.bin, 'drbdsetup'), target: '/usr/sbin/drbdsetup', readOnly: true },
          { source: prepared.conf, target: '/etc/drbd.conf', readOnly: true },
        ],
        ...(options.privateDev ? { run: [['sh', '-c', PRIVATE_DEV]] } : {}),
      };
    },
  };
}

/** A node's simulated DRBD state, read from the host; undefined when the resource is not up there (or the node is off). */
export function drbdSnapshot(plan: LabPlan, node: string, resource = RESOURCE): Promise<ResourceSnap | undefined> {
  return snapshotOf(drbdStateDir(plan), node, resource);
}

/** The nodes on which a resource is Primary, read from the host (nodes that are off count as not Primary). */
export async function primaryNodes(plan: LabPlan, resource = RESOURCE): Promise<string[]> {
  const snaps = await Promise.all(plan.nodes.map(async (n) => [n.name, await drbdSnapshot(plan, n.name, resource)] as const));
  return snaps.filter(([, s]) => s?.role === 'Primary').map(([n]) => n);
}

/**
 * Samples the DRBD role of every node, both at once, until stopped: the witness that there are never two
 * Primaries during a test.
 */
export class PrimaryWatcher {
  samples = 0;
  /** Samples in which more than one node was Primary, with the nodes. */
  readonly doubles: string[][] = [];
  /** First time each node was seen Primary after `mark`. */
  private readonly firstPrimary = new Map<string, number>();
  private running = true;
  private readonly loop: Promise<void>;

  constructor(plan: LabPlan, everyMs = 100) {
    this.loop = (async () => {
      const primaries = () => primaryNodes(plan);
      while (this.running) {
        let now = await primaries();
        // Two reads are never quite simultaneous: a handover between them would look like two Primaries, a real
        // double Primary (split brain) does not go away by itself. Ask again before counting it.
        if (now.length > 1) now = await primaries();
        this.samples++;
        if (now.length > 1) this.doubles.push(now);
        const at = Date.now();
        for (const node of now) if (!this.firstPrimary.has(node)) this.firstPrimary.set(node, at);
        await new Promise((resolve) => setTimeout(resolve, everyMs));
      }
    })();
  }

  /** Forget when nodes were first seen Primary (call just before an event whose effect is timed). */
  mark(): void {
    this.firstPrimary.clear();
  }

  primarySince(node: string): number | undefined {
    return this.firstPrimary.get(node);
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }
}
