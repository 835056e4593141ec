// SPDX-License-Identifier: GPL-2.0-or-later
// One DRBD node on the simulator (scripts/drbdsim): a network namespace holding the replication address, a loop
// device as the backing disk, drbd.conf with a peer that never comes up, and drbdadm/drbdsetup wrappers first on
// PATH. What a test of the installed ocf:tsha:drbd needs to run it as on a node whose peer crashed.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { initMetadata, installWrappers, writeDrbdConf } from '../../scripts/drbdsim/setup.js';
import { createLoop, type LoopDevice } from './loop.js';
import { createLab, type NetnsLab } from './netns.js';

export const PEER = 'tsha-test-peer';
export const RESOURCE = 'drbddata';

export type DrbdTestNode = {
  readonly lab: NetnsLab;
  /** The node's namespace, for spawnAgent's netns. */
  readonly netns: string;
  readonly conf: string;
  readonly stateDir: string;
  /** PATH with the simulator first, and where its state lives. */
  readonly env: Record<string, string>;
  /** drbdadm as the node runs it; never rejects. */
  drbdadm(...args: string[]): Promise<{ exitCode?: number | undefined; stdout: string; stderr: string }>;
  /** The simulator's own command (state, fault injection); never rejects. */
  drbdsim(...args: string[]): Promise<{ exitCode?: number | undefined; stdout: string; stderr: string }>;
  /** Back to UpToDate, down, as after create-md and an initial sync. */
  resetMetadata(): void;
  dispose(): Promise<void>;
};

export async function createDrbdNode(label: string): Promise<DrbdTestNode> {
  const dir = await mkdtemp(path.join(os.tmpdir(), `tsha-${label}-`));
  const stateDir = path.join(dir, 'state');
  const binDir = path.join(dir, 'bin');
  let loop: LoopDevice | undefined;
  let lab: NetnsLab | undefined;
  const dispose = async (): Promise<void> => {
    // `drbdadm down` ends the simulated kernel; the namespace teardown kills whatever is left.
    if (lab) {
      await lab.run('n1', 'drbdadm', ['-c', conf, 'down', RESOURCE], { env, reject: false });
      await lab.destroy();
    }
    await loop?.dispose();
    await rm(dir, { recursive: true, force: true });
  };
  let conf = '';
  let env: Record<string, string> = {};
  try {
    loop = await createLoop({ sizeMiB: 16 });
    conf = writeDrbdConf(path.join(dir, 'etc'), {
      nodes: [
        { name: os.hostname(), address: '192.168.2.71', disk: loop.device },
        { name: PEER, address: '192.168.2.72', disk: loop.device },
      ],
    }).confFile;
    initMetadata(stateDir, RESOURCE, [os.hostname()]);
    installWrappers(binDir, { stateDir });
    env = { PATH: `${binDir}:/usr/sbin:/usr/bin:/sbin:/bin`, TSHA_DRBDSIM_STATE: stateDir };
    lab = await createLab(label);
    await lab.addNamespace('n1');
    // no dummy driver everywhere: a veth pair with both ends in the node
    await lab.ip('n1', 'link', 'add', 'eth2', 'type', 'veth', 'peer', 'name', 'eth2p');
    await lab.ip('n1', 'link', 'set', 'eth2p', 'up');
    await lab.ip('n1', 'addr', 'add', '192.168.2.71/24', 'dev', 'eth2');
    await lab.ip('n1', 'link', 'set', 'eth2', 'up');
  } catch (error) {
    await dispose();
    throw error;
  }
  const node = lab;
  return {
    lab: node,
    netns: node.ns('n1'),
    conf,
    stateDir,
    env,
    drbdadm: (...args) => node.run('n1', 'drbdadm', ['-c', conf, ...args], { env, reject: false }),
    drbdsim: (...args) => node.run('n1', 'drbdsim', args, { env, reject: false }),
    resetMetadata: () => initMetadata(stateDir, RESOURCE, [os.hostname()]),
    dispose,
  };
}
