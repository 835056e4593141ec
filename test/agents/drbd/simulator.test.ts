// SPDX-License-Identifier: GPL-2.0-or-later
// ocf:tsha:drbd as installed, on one node of the DRBD simulator whose peer never comes up: the actions and
// parameters that need a resource really brought up (reload, the module version bounds, stop_outdates_secondary,
// a failed disk under a Primary).
import { expect } from 'chai';
import { OcfExit } from '../../../lib/ocf/exit-codes.js';
import { spawnAgent, type AgentRun } from '../../helpers/agent.js';
import { PEER, RESOURCE, createDrbdNode, type DrbdTestNode } from '../../helpers/drbd-node.js';

const SEED_META = { clone_max: '2', clone_node_max: '1', promoted_max: '1', promoted_node_max: '1', notify: 'true' };

describe('ocf:tsha:drbd on the simulator (one node, the peer down)', function () {
  this.timeout(120_000);
  let node: DrbdTestNode;
  const run = (action: string, options: { params?: Record<string, string>; meta?: Record<string, string>; env?: Record<string, string> } = {}): Promise<AgentRun> =>
    spawnAgent('drbd', action, {
      instance: 'ClusterDrbd',
      params: { drbd_resource: RESOURCE, drbdconf: node.conf, wfc_timeout: '1', ...options.params },
      meta: { ...SEED_META, ...options.meta },
      env: { ...node.env, ...options.env },
      netns: node.netns,
    });
  // of a resource that is down, as drbd-utils reads it from the metadata: Outdated, or Consistent (the metadata
  // cannot say UpToDate)
  const dstate = async () => (await node.drbdadm('dstate', RESOURCE)).stdout.trim();

  before(async () => {
    node = await createDrbdNode('drbdsim1');
  });
  after(async () => {
    await node?.dispose();
  });
  afterEach(async () => {
    await node.drbdadm('down', RESOURCE);
    node.resetMetadata();
  });

  it('reload adjusts a running resource and keeps it up (0); a reload of a stopped one is 0 and brings nothing up', async () => {
    expect((await run('reload')).rc).to.equal(OcfExit.SUCCESS);
    expect((await run('monitor', { meta: { interval: '31000' } })).rc).to.equal(OcfExit.NOT_RUNNING);
    expect((await run('start')).rc).to.equal(OcfExit.SUCCESS);
    const reload = await run('reload');
    expect([reload.rc, reload.reasonLines]).to.deep.equal([OcfExit.SUCCESS, 0]);
    expect((await run('monitor', { meta: { interval: '31000' } })).rc).to.equal(OcfExit.SUCCESS);
    expect((await node.drbdadm('role', RESOURCE)).stdout.trim()).to.equal('Secondary');
  });

  it('refuses to start a module outside require_drbd_module_version_ge/lt (5, with the versions), leaving it down', async () => {
    const old = await run('start', { params: { require_drbd_module_version_ge: '9.3.0' } });
    expect(old.rc).to.equal(OcfExit.ERR_INSTALLED);
    expect(old.reason).to.match(/9\.2\.5 is older than `require_drbd_module_version_ge` 9\.3\.0/);
    const tooNew = await run('start', { env: { TSHA_DRBDSIM_KERNEL_VERSION: '10.0.1' } });
    expect(tooNew.rc).to.equal(OcfExit.ERR_INSTALLED);
    expect(tooNew.reason).to.match(/10\.0\.1 is not below `require_drbd_module_version_lt` 10\.0\.0/);
    expect((await run('monitor', { meta: { interval: '31000' } })).rc).to.equal(OcfExit.NOT_RUNNING);
    // pcs validates at level 0, where the module is not asked; level 10 asks it
    expect((await run('validate-all', { params: { require_drbd_module_version_ge: '9.3.0' } })).rc).to.equal(OcfExit.SUCCESS);
    const deep = await run('validate-all', { params: { require_drbd_module_version_ge: '9.3.0' }, env: { OCF_CHECK_LEVEL: '10' } });
    expect(deep.rc).to.equal(OcfExit.ERR_INSTALLED);
  });

  it('stop_outdates_secondary: a stop while another node is Promoted leaves the local data Outdated, otherwise not', async () => {
    const outdating = { params: { stop_outdates_secondary: 'true' }, meta: { notify_promoted_uname: PEER } };
    expect((await run('start')).rc).to.equal(OcfExit.SUCCESS);
    expect((await run('stop', outdating)).rc).to.equal(OcfExit.SUCCESS);
    expect(await dstate()).to.equal('Outdated');

    node.resetMetadata();
    expect((await run('start')).rc).to.equal(OcfExit.SUCCESS);
    expect((await run('stop', { params: { stop_outdates_secondary: 'true' } })).rc).to.equal(OcfExit.SUCCESS);
    expect(await dstate()).to.equal('Consistent');

    node.resetMetadata();
    expect((await run('start')).rc).to.equal(OcfExit.SUCCESS);
    expect((await run('stop', { meta: { notify_promoted_uname: PEER } })).rc).to.equal(OcfExit.SUCCESS);
    expect(await dstate(), 'off by default').to.equal('Consistent');
  });

  it('a Primary whose disk fails: monitor 9 (failed Promoted) from the moment the disk is gone; demote and stop 0', async () => {
    expect((await run('start')).rc).to.equal(OcfExit.SUCCESS);
    expect((await run('promote')).rc).to.equal(OcfExit.SUCCESS);
    expect((await run('monitor', { meta: { interval: '29000' } })).rc).to.equal(OcfExit.RUNNING_PROMOTED);
    const failed = await node.drbdsim('fail-disk', RESOURCE);
    expect(failed.exitCode, failed.stderr).to.equal(0);
    expect((await node.drbdadm('dstate', RESOURCE)).stdout.trim()).to.match(/^Diskless\//);
    expect((await run('monitor', { meta: { interval: '29000' } })).rc).to.equal(OcfExit.FAILED_PROMOTED);
    expect((await run('demote')).rc).to.equal(OcfExit.SUCCESS);
    expect((await run('stop')).rc).to.equal(OcfExit.SUCCESS);
    expect((await run('monitor', { meta: { interval: '31000' } })).rc).to.equal(OcfExit.NOT_RUNNING);
  });
});
