// SPDX-License-Identifier: GPL-2.0-or-later
// ocf-tester (unmodified, from resource-agents) against the installed ocf:tsha:drbd on one node, with the
// drbdadm/drbdsetup simulator in front of drbd-utils (scripts/drbdsim) and the clone meta attributes given with
// -o as Pacemaker passes them. The node lives in a network namespace holding its replication address; its peer
// is configured but never comes up, so the resource runs StandAlone-ish (Connecting) as after a peer crash.
import { existsSync } from 'node:fs';
import { expect } from 'chai';
import { OCF_DIR, spawnAgent } from '../../helpers/agent.js';
import { createDrbdNode, type DrbdTestNode } from '../../helpers/drbd-node.js';
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
  let node: DrbdTestNode;

  before(async () => {
    node = await createDrbdNode('drbdot');
  });

  after(async () => {
    await node?.dispose();
  });

  it('passes all tests (validate-all, probes, start/stop twice, the promote/demote ladder)', async () => {
    const params = ['-o', 'drbd_resource=drbddata', '-o', `drbdconf=${node.conf}`, '-o', 'wfc_timeout=2'];
    const meta = Object.entries(SEED_META).flatMap(([k, v]) => ['-o', `${k}=${v}`]);
    const started = Date.now();
    const result = await node.lab.run('n1', 'ocf-tester', ['-n', 'ClusterDrbd', ...params, ...meta, `${OCF_DIR}/drbd`], { env: node.env, reject: false });
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    console.log(`      ocf-tester took ${seconds} s`);
    const output = `${result.stdout}\n${result.stderr}`;
    expect(output, output).to.include('passed all tests');
    expect(result.exitCode, output).to.equal(0);
  });

  it('leaves the resource down, and monitor agrees', async () => {
    const monitor = await spawnAgent('drbd', 'monitor', {
      instance: 'ClusterDrbd',
      params: { drbd_resource: 'drbddata', drbdconf: node.conf },
      meta: { interval: '31000' },
      env: node.env,
      netns: node.netns,
    });
    expect(monitor.rc).to.equal(OcfExit.NOT_RUNNING);
    expect(existsSync(node.conf)).to.equal(true);
  });
});
