// SPDX-License-Identifier: GPL-2.0-or-later
// ocf-tester (unmodified, from resource-agents) against the installed ocf:tsha:drbd on one node, with the
// drbdadm/drbdsetup simulator in front of drbd-utils (scripts/drbdsim) and the clone meta attributes given with
// -o as Pacemaker passes them. The node lives in a network namespace holding its replication address; its peer
// is configured but never comes up, so the resource runs StandAlone-ish (Connecting) as after a peer crash.
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { initMetadata, installWrappers, writeDrbdConf } from '../../../scripts/drbdsim/setup.js';
import { OCF_DIR, spawnAgent } from '../../helpers/agent.js';
import { createLoop, type LoopDevice } from '../../helpers/loop.js';
import { createLab, type NetnsLab } from '../../helpers/netns.js';
import { OcfExit } from '../../../lib/ocf/exit-codes.js';

export const SEED_META = {
  CRM_meta_clone_max: '2',
  CRM_meta_clone_node_max: '1',
  CRM_meta_promoted_max: '1',
  CRM_meta_promoted_node_max: '1',
  CRM_meta_master_max: '1',
  CRM_meta_master_node_max: '1',
  CRM_meta_notify: 'true',
};

describe('ocf:tsha:drbd under ocf-tester (drbd simulator, one node)', function () {
  this.timeout(180_000);
  let dir: string;
  let lab: NetnsLab | undefined;
  let loop: LoopDevice | undefined;
  let env: Record<string, string>;
  let conf: string;

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'tsha-drbd-tester-'));
    const stateDir = path.join(dir, 'state');
    const binDir = path.join(dir, 'bin');
    loop = await createLoop({ sizeMiB: 16 });
    conf = writeDrbdConf(path.join(dir, 'etc'), {
      nodes: [
        { name: os.hostname(), address: '192.168.2.71', disk: loop.device },
        { name: 'tsha-test-peer', address: '192.168.2.72', disk: loop.device },
      ],
    }).confFile;
    initMetadata(stateDir, 'drbddata', [os.hostname()]);
    installWrappers(binDir, { stateDir });
    env = { PATH: `${binDir}:/usr/sbin:/usr/bin:/sbin:/bin`, TSHA_DRBDSIM_STATE: stateDir };
    lab = await createLab('drbdot');
    await lab.addNamespace('n1');
    // no dummy driver everywhere: a veth pair with both ends in the node
    await lab.ip('n1', 'link', 'add', 'eth2', 'type', 'veth', 'peer', 'name', 'eth2p');
    await lab.ip('n1', 'link', 'set', 'eth2p', 'up');
    await lab.ip('n1', 'addr', 'add', '192.168.2.71/24', 'dev', 'eth2');
    await lab.ip('n1', 'link', 'set', 'eth2', 'up');
  });

  after(async () => {
    // `drbdadm down` ends the simulated kernel; the namespace teardown kills whatever is left.
    if (lab) {
      await lab.run('n1', 'drbdadm', ['-c', conf, 'down', 'drbddata'], { env, reject: false });
      await lab.destroy();
    }
    await loop?.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  it('passes all tests (validate-all, probes, start/stop twice, the promote/demote ladder)', async () => {
    const params = ['-o', 'drbd_resource=drbddata', '-o', `drbdconf=${conf}`, '-o', 'wfc_timeout=2'];
    const meta = Object.entries(SEED_META).flatMap(([k, v]) => ['-o', `${k}=${v}`]);
    const started = Date.now();
    const result = await lab!.run('n1', 'ocf-tester', ['-n', 'ClusterDrbd', ...params, ...meta, `${OCF_DIR}/drbd`], { env, reject: false });
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    console.log(`      ocf-tester took ${seconds} s`);
    const output = `${result.stdout}\n${result.stderr}`;
    expect(output, output).to.include('passed all tests');
    expect(result.exitCode, output).to.equal(0);
  });

  it('leaves the resource down, and monitor agrees', async () => {
    const monitor = await spawnAgent('drbd', 'monitor', {
      instance: 'ClusterDrbd',
      params: { drbd_resource: 'drbddata', drbdconf: conf },
      meta: { interval: '31000' },
      env,
      netns: lab!.ns('n1'),
    });
    expect(monitor.rc).to.equal(OcfExit.NOT_RUNNING);
    expect(existsSync(conf)).to.equal(true);
  });
});
