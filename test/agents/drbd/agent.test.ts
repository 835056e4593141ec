// SPDX-License-Identifier: GPL-2.0-or-later
// ocf:tsha:drbd as installed, with the real drbd-utils 9.22 and no DRBD kernel module: meta-data, validation
// (parameters, configuration, clone meta), and what monitor and stop say about a DRBD that cannot be running.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { execa } from 'execa';
import { OcfExit } from '../../../lib/ocf/exit-codes.js';
import { OCF_DIR, spawnAgent } from '../../helpers/agent.js';

const SEED_META = { clone_max: '2', clone_node_max: '1', promoted_max: '1', promoted_node_max: '1', master_max: '1', master_node_max: '1', notify: 'true' };

describe('ocf:tsha:drbd (installed, drbd-utils without a module)', function () {
  this.timeout(30_000);
  let dir: string;
  let conf: string;
  const params = (extra: Record<string, string> = {}) => ({ drbd_resource: 'drbddata', drbdconf: conf, ...extra });
  const run = (action: string, extra: { params?: Record<string, string>; meta?: Record<string, string>; env?: Record<string, string> } = {}) =>
    spawnAgent('drbd', action, { instance: 'ClusterDrbd', params: extra.params ?? params(), ...(extra.meta ? { meta: extra.meta } : {}), ...(extra.env ? { env: extra.env } : {}) });

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'tsha-drbd-agent-'));
    conf = path.join(dir, 'drbd.conf');
    await writeFile(
      conf,
      `resource drbddata {\n  device /dev/drbd1;\n  disk /dev/tsha-test-backing;\n  meta-disk internal;\n` +
        `  on ${os.hostname()} { address 192.168.2.71:7789; }\n  on tsha-test-peer { address 192.168.2.72:7789; }\n}\n`,
    );
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  describe('meta-data', () => {
    it('is valid against ra-api-1.dtd and advertises promote, demote, notify and two role monitors', async () => {
      const meta = await run('meta-data');
      expect(meta.rc).to.equal(OcfExit.SUCCESS);
      const lint = await execa('xmllint', ['--noout', '--valid', '-'], { input: meta.stdout, cwd: '/usr/share/resource-agents', reject: false });
      expect(lint.stderr).to.equal('');
      expect(lint.exitCode).to.equal(0);
      for (const action of ['start', 'stop', 'promote', 'demote', 'notify', 'validate-all']) expect(meta.stdout).to.include(`<action name="${action}"`);
      const monitors = [...meta.stdout.matchAll(/<action name="monitor"[^>]*interval="(\w+)" role="(\w+)"/g)].map((m) => `${m[2]}:${m[1]}`);
      expect(monitors).to.deep.equal(['Promoted:29s', 'Unpromoted:31s']);
      for (const name of ['drbd_resource', 'drbdconf', 'adjust_master_score', 'stop_outdates_secondary', 'wfc_timeout', 'require_drbd_module_version_ge', 'require_drbd_module_version_lt', 'fail_promote_early_if_peer_primary', 'ignore_missing_notifications']) {
        expect(meta.stdout).to.include(`<parameter name="${name}"`);
      }
      expect(meta.stdout).to.include('<content type="string" default="0 10 1000 10000"/>');
    });
  });

  describe('validate-all', () => {
    it('passes silently with instance attributes only, as pcs runs it (no meta, no PATH)', async () => {
      const result = await run('validate-all', { env: { PATH: '' } });
      expect(result.stderr).to.equal('');
      expect(result.rc).to.equal(OcfExit.SUCCESS);
    });

    it('passes with the seed\'s clone meta attributes as Pacemaker passes them', async () => {
      const result = await run('validate-all', { meta: SEED_META });
      expect(result.rc).to.equal(OcfExit.SUCCESS);
    });

    const failures: [string, { params?: Record<string, string>; meta?: Record<string, string> }, number, RegExp][] = [
      ['no drbd_resource → 6', { params: { drbdconf: '/etc/drbd.conf' } }, OcfExit.ERR_CONFIGURED, /required parameter `drbd_resource` is not set/],
      ['a resource name outside drbd.ocf\'s charset → 6', { params: { drbd_resource: 'a b' } }, OcfExit.ERR_CONFIGURED, /must only contain/],
      ['a bad adjust_master_score → 6', { params: { drbd_resource: 'drbddata', adjust_master_score: '10 0 1000 10000' } }, OcfExit.ERR_CONFIGURED, /non-decreasing/],
      ['a bad module version bound → 6', { params: { drbd_resource: 'drbddata', require_drbd_module_version_ge: 'eight' } }, OcfExit.ERR_CONFIGURED, /version x\.y\.z/],
      ['an unreadable drbdconf → 5', { params: { drbd_resource: 'drbddata', drbdconf: '/nonexistent/drbd.conf' } }, OcfExit.ERR_INSTALLED, /does not exist or is not readable/],
      ['a resource not in drbdconf → 5', { params: { drbd_resource: 'nosuch' } }, OcfExit.ERR_INSTALLED, /`nosuch` not found in .*'nosuch' not defined in your config/],
      ['clone-node-max=2 given by Pacemaker → 6', { params: { drbd_resource: 'drbddata' }, meta: { ...SEED_META, clone_node_max: '2' } }, OcfExit.ERR_CONFIGURED, /expected clone-node-max = 1, but found 2/],
      ['a clone without notify=true → 6', { params: { drbd_resource: 'drbddata' }, meta: { ...SEED_META, notify: 'false' } }, OcfExit.ERR_CONFIGURED, /expected notify=true/],
    ];
    for (const [title, options, rc, reason] of failures) {
      it(title, async () => {
        const result = await run('validate-all', { params: { drbdconf: conf, ...options.params }, ...(options.meta ? { meta: options.meta } : {}) });
        expect(result.rc).to.equal(rc);
        expect(result.reason).to.match(reason);
        expect(result.reasonLines).to.equal(1);
      });
    }

    it('accepts a clone without notify when ignore_missing_notifications=true', async () => {
      const result = await run('validate-all', { params: params({ ignore_missing_notifications: 'true' }), meta: { ...SEED_META, notify: 'false' } });
      expect(result.rc).to.equal(OcfExit.SUCCESS);
    });
  });

  describe('without a DRBD module', () => {
    it('a probe and a recurring monitor say not running (7)', async () => {
      expect((await run('monitor', { meta: { interval: '0' } })).rc).to.equal(OcfExit.NOT_RUNNING);
      expect((await run('monitor', { meta: { ...SEED_META, interval: '31000' } })).rc).to.equal(OcfExit.NOT_RUNNING);
    });

    it('a probe with the programs "missing" (ocf-tester\'s OCF_TESTER_FAIL_HAVE_BINARY) says not running', async () => {
      expect((await run('monitor', { meta: { interval: '0' }, env: { OCF_TESTER_FAIL_HAVE_BINARY: '1' } })).rc).to.equal(OcfExit.NOT_RUNNING);
    });

    it('stop and demote of a resource that is not up succeed', async () => {
      expect((await run('stop')).rc).to.equal(OcfExit.SUCCESS);
      expect((await run('demote')).rc).to.equal(OcfExit.SUCCESS);
    });

    it('promote of a resource that is not started fails with a reason', async () => {
      const result = await run('promote', { meta: SEED_META });
      expect(result.rc).to.equal(OcfExit.ERR_GENERIC);
      expect(result.reason).to.match(/not started/);
    });

    it('notify always returns 0', async () => {
      const result = await run('notify', { meta: { ...SEED_META, notify_type: 'post', notify_operation: 'start' } });
      expect(result.rc).to.equal(OcfExit.SUCCESS);
    });

    it('is installed where pcs and Pacemaker look for it', async () => {
      const { stdout } = await execa('crm_resource', ['--show-metadata', 'ocf:tsha:drbd']);
      expect(stdout).to.include('<resource-agent name="drbd"');
      expect(OCF_DIR).to.equal('/usr/lib/ocf/resource.d/tsha');
    });
  });
});
