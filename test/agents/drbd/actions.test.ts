// SPDX-License-Identifier: GPL-2.0-or-later
// The handlers of ocf:tsha:drbd with a scripted Exec standing for drbd-utils and crm_attribute: which commands
// each action runs for a given DRBD state, the score it stores, and its OCF code. (The same behaviour against
// the simulator and a real Pacemaker is in cluster.test.ts.)
import { expect } from 'chai';
import { demote, monitor, notify, promote, stop, validate } from '../../../agents/drbd/actions.js';
import { drbdParams, type Ctx } from '../../../agents/drbd/params.js';
import { createDeadline } from '../../../lib/deadline.js';
import type { Exec, ExecResult, WatchResult } from '../../../lib/exec.js';
import { silentLogger } from '../../../lib/log.js';
import { OcfExit } from '../../../lib/ocf/exit-codes.js';
import { isOcfError } from '../../../lib/ocf/errors.js';
import { parseMeta } from '../../../lib/ocf/meta.js';
import { parseParams } from '../../../lib/ocf/params.js';
import { agentFixture, sharedFixture } from './fixtures.js';

type Reply = { exitCode?: number; stdout?: string; stderr?: string };

/** drbd-utils and crm_attribute as a script: `state` is what events2 --now prints; `on` answers by command. */
class ScriptedDrbd {
  readonly calls: string[] = [];
  state = sharedFixture('events2-now-secondary-peer-primary.txt');
  crmOk = true;
  on: (argv: string) => Reply | undefined = () => undefined;

  exec(): Exec {
    const run = async (file: string, args: readonly string[]): Promise<ExecResult> => {
      const command = [file, ...args].join(' ');
      this.calls.push(command);
      const reply = this.on(command) ?? this.default(command);
      const exitCode = reply.exitCode ?? 0;
      return { command, exitCode, stdout: reply.stdout ?? '', stderr: reply.stderr ?? '', ok: exitCode === 0, timedOut: false };
    };
    const watch = async (file: string, args: readonly string[], onLine: (line: string) => boolean): Promise<WatchResult> => {
      const command = [file, ...args].join(' ');
      this.calls.push(command);
      // the current state, then one change: enough for "wait for the next state change"
      for (const line of [...this.state.split('\n'), 'change resource name:r0 role:Secondary']) if (onLine(line)) return { command, ended: 'matched', exitCode: undefined, stderr: '' };
      return { command, ended: 'exited', exitCode: 0, stderr: '' };
    };
    return { run, check: run, watch };
  }

  private default(command: string): Reply {
    if (command === 'drbdadm --version') return { stdout: agentFixture('drbdadm-version-module-9.txt') };
    if (command.startsWith('drbdsetup events2 --now')) return { stdout: this.state };
    if (command.startsWith('crm_attribute')) return this.crmOk ? {} : { exitCode: 102, stderr: 'crm_attribute: Could not connect to the CIB' };
    return {};
  }

  /** The drbdadm/crm_attribute calls, without the state reads. */
  actions(): string[] {
    return this.calls.filter((c) => !c.startsWith('drbdsetup events2') && c !== 'drbdadm --version');
  }
}

function ctx(action: string, drbd: ScriptedDrbd, env: Record<string, string> = {}): Ctx {
  const full = { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', OCF_RESKEY_drbd_resource: 'r0', OCF_RESKEY_drbdconf: '/etc/drbd.conf', ...env };
  const parsed = parseParams(drbdParams, full);
  if (!parsed.ok) throw new Error(parsed.issues.map((i) => i.message).join('; '));
  const meta = parseMeta(full);
  return {
    agent: 'drbd',
    action,
    instance: 'ClusterDrbd',
    node: meta.onNode ?? 'fo1',
    params: parsed.value,
    config: undefined,
    meta,
    isProbe: action === 'monitor' && meta.interval === 0,
    checkLevel: 0,
    env: full,
    deadline: createDeadline(meta.timeout, Date.now()),
    log: silentLogger,
    exec: drbd.exec(),
  };
}

const recurring = { OCF_RESKEY_CRM_meta_interval: '29000' };
const SET = (n: number) => `crm_attribute --promotion -l reboot -v ${n}`;
const DELETE = 'crm_attribute --promotion -l reboot -D';
const adm = (...args: string[]) => `drbdadm -c /etc/drbd.conf ${args.join(' ')}`;

async function reasonOf(promise: Promise<unknown>): Promise<{ code: number; reason: string }> {
  try {
    await promise;
  } catch (error) {
    if (isOcfError(error)) return { code: error.code, reason: error.reason };
    throw error;
  }
  throw new Error('expected an OcfError');
}

describe('drbd handlers (scripted drbd-utils)', () => {
  describe('monitor', () => {
    it('Primary, connected: 8 and the score 10000', async () => {
      const drbd = new ScriptedDrbd();
      drbd.state = sharedFixture('events2-now-primary-connected.txt');
      expect(await monitor(ctx('monitor', drbd, recurring))).to.equal(OcfExit.RUNNING_PROMOTED);
      expect(drbd.actions()).to.deep.equal([SET(10000)]);
    });

    it('unfence_if_all_uptodate: a Primary whose disks, local and peer, are all UpToDate runs unfence-peer; otherwise not', async () => {
      const unfences = async (fixture: string, param: string) => {
        const drbd = new ScriptedDrbd();
        drbd.state = sharedFixture(fixture);
        await monitor(ctx('monitor', drbd, { ...recurring, OCF_RESKEY_unfence_if_all_uptodate: param }));
        return drbd.actions().includes(adm('unfence-peer', 'r0'));
      };
      expect(await unfences('events2-now-primary-connected.txt', 'true')).to.equal(true);
      expect(await unfences('events2-now-primary-connected.txt', 'false')).to.equal(false);
      expect(await unfences('events2-now-primary-connecting.txt', 'true'), 'peer disk unknown').to.equal(false);
      expect(await unfences('events2-now-secondary-peer-primary.txt', 'true'), 'not Primary').to.equal(false);
    });

    it('Secondary, peer unknown: 0 and the score 1000', async () => {
      const drbd = new ScriptedDrbd();
      drbd.state = sharedFixture('events2-now-secondary-connecting.txt');
      expect(await monitor(ctx('monitor', drbd, recurring))).to.equal(OcfExit.SUCCESS);
      expect(drbd.actions()).to.deep.equal([SET(1000)]);
    });

    it('a probe of a resource that is down: 7, score untouched; a recurring monitor deletes it', async () => {
      const probe = new ScriptedDrbd();
      probe.state = sharedFixture('events2-now-not-up.txt');
      expect(await monitor(ctx('monitor', probe))).to.equal(OcfExit.NOT_RUNNING);
      expect(probe.actions()).to.deep.equal([]);
      const rec = new ScriptedDrbd();
      rec.state = sharedFixture('events2-now-not-up.txt');
      expect(await monitor(ctx('monitor', rec, recurring))).to.equal(OcfExit.NOT_RUNNING);
      expect(rec.actions()).to.deep.equal([DELETE]);
    });

    it('Primary with a failed disk: 9', async () => {
      const drbd = new ScriptedDrbd();
      drbd.state = agentFixture('events2-now-primary-failed-disk.txt');
      expect(await monitor(ctx('monitor', drbd, recurring))).to.equal(OcfExit.FAILED_PROMOTED);
    });

    it('an attaching disk leaves the score as it is', async () => {
      const drbd = new ScriptedDrbd();
      drbd.state = sharedFixture('events2-now-attaching.txt');
      expect(await monitor(ctx('monitor', drbd, recurring))).to.equal(OcfExit.SUCCESS);
      expect(drbd.actions()).to.deep.equal([]);
    });

    it('without a cluster the score cannot be set: a warning, not a failure', async () => {
      const drbd = new ScriptedDrbd();
      drbd.crmOk = false;
      expect(await monitor(ctx('monitor', drbd, recurring))).to.equal(OcfExit.SUCCESS);
      expect(drbd.actions()).to.deep.equal([SET(10000)]);
    });

    it('no module loaded: 7 without asking drbdsetup (which would modprobe one)', async () => {
      const drbd = new ScriptedDrbd();
      drbd.on = (c) => (c === 'drbdadm --version' ? { stdout: sharedFixture('drbdadm-version-no-module.txt') } : undefined);
      expect(await monitor(ctx('monitor', drbd, recurring))).to.equal(OcfExit.NOT_RUNNING);
      expect(drbd.calls.filter((c) => c.startsWith('drbdsetup'))).to.deep.equal([]);
    });

    it('DRBD 8.4: reads drbdsetup sh-status', async () => {
      const drbd = new ScriptedDrbd();
      drbd.on = (c) => {
        if (c === 'drbdadm --version') return { stdout: agentFixture('drbdadm-version-module-84.txt') };
        if (c === 'drbdsetup sh-status r0') return { stdout: agentFixture('sh-status-84-primary-connected.txt').replace(/drbddata/g, 'r0') };
        return undefined;
      };
      expect(await monitor(ctx('monitor', drbd, recurring))).to.equal(OcfExit.RUNNING_PROMOTED);
      expect(drbd.calls).to.include('drbdsetup sh-status r0');
      expect(drbd.calls.some((c) => c.includes('events2'))).to.equal(false);
    });
  });

  describe('promote', () => {
    it('retries `drbdadm primary` refused with rc 11 after the next state change, then succeeds', async () => {
      const drbd = new ScriptedDrbd();
      let tries = 0;
      drbd.on = (c) => {
        if (c !== adm('primary', 'r0')) return undefined;
        tries++;
        return tries < 3 ? { exitCode: 11, stderr: 'r0: State change failed: (-1) Multiple primaries not allowed by config\n' } : {};
      };
      expect(await promote(ctx('promote', drbd))).to.equal(OcfExit.SUCCESS);
      expect(tries).to.equal(3);
      expect(drbd.calls.filter((c) => c === 'drbdsetup events2 r0')).to.have.length(2);
    });

    it('asks the module version once, while validation reads the configuration', async () => {
      const drbd = new ScriptedDrbd();
      const log: string[] = [];
      const exec = drbd.exec();
      const run: typeof exec.run = async (file, args, options) => {
        const what = args.includes('sh-dev') ? 'sh-dev' : args.join(' ');
        log.push(`start ${what}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
        log.push(`end ${what}`);
        return exec.run(file, args, options);
      };
      const promoting = { ...ctx('promote', drbd, { OCF_RESKEY_drbdconf: '/etc/passwd' }), exec: { ...exec, run } };
      await validate(promoting);
      expect(await promote(promoting)).to.equal(OcfExit.SUCCESS);
      expect(log.filter((l) => l === 'start --version')).to.have.length(1);
      expect(log.indexOf('start --version'), log.join(', ')).to.be.below(log.indexOf('end sh-dev'));
    });

    it('fails at once on rc 17 with its reason', async () => {
      const drbd = new ScriptedDrbd();
      drbd.on = (c) => (c === adm('primary', 'r0') ? { exitCode: 17, stderr: 'r0: State change failed: (-2) Need access to UpToDate data\n' } : undefined);
      const failure = await reasonOf(promote(ctx('promote', drbd)));
      expect(failure.code).to.equal(OcfExit.ERR_GENERIC);
      expect(failure.reason).to.equal('refusing to be promoted to Primary without access to UpToDate data (r0: State change failed: (-2) Need access to UpToDate data (rc 17))');
      expect(drbd.actions()).to.deep.equal([adm('primary', 'r0')]);
    });

    it('is done when already Primary, and refuses a resource that is not started', async () => {
      const primary = new ScriptedDrbd();
      primary.state = sharedFixture('events2-now-primary-connected.txt');
      expect(await promote(ctx('promote', primary))).to.equal(OcfExit.SUCCESS);
      expect(primary.actions()).to.deep.equal([]);
      const down = new ScriptedDrbd();
      down.state = sharedFixture('events2-now-not-up.txt');
      expect((await reasonOf(promote(ctx('promote', down)))).reason).to.match(/not started/);
    });
  });

  describe('demote and stop', () => {
    it('demote runs `drbdadm secondary` on a Primary, nothing on a Secondary or a stopped resource', async () => {
      const drbd = new ScriptedDrbd();
      drbd.state = sharedFixture('events2-now-primary-connected.txt');
      drbd.on = (c) => {
        if (c === adm('secondary', 'r0')) drbd.state = sharedFixture('events2-now-secondary-peer-primary.txt');
        return undefined;
      };
      expect(await demote(ctx('demote', drbd))).to.equal(OcfExit.SUCCESS);
      expect(drbd.actions()).to.deep.equal([adm('secondary', 'r0')]);
      for (const file of ['events2-now-secondary-peer-primary.txt', 'events2-now-not-up.txt']) {
        const other = new ScriptedDrbd();
        other.state = sharedFixture(file);
        expect(await demote(ctx('demote', other))).to.equal(OcfExit.SUCCESS);
        expect(other.actions()).to.deep.equal([]);
      }
    });

    it('a successful drbdadm step is not read back: demote and stop read the state once', async () => {
      const reads = (drbd: ScriptedDrbd) => drbd.calls.filter((c) => c.startsWith('drbdsetup events2')).length;
      const demoted = new ScriptedDrbd();
      demoted.state = sharedFixture('events2-now-primary-connected.txt');
      expect(await demote(ctx('demote', demoted))).to.equal(OcfExit.SUCCESS);
      expect([demoted.actions(), reads(demoted)]).to.deep.equal([[adm('secondary', 'r0')], 1]);
      const stopped = new ScriptedDrbd();
      stopped.state = sharedFixture('events2-now-primary-connected.txt');
      expect(await stop(ctx('stop', stopped))).to.equal(OcfExit.SUCCESS);
      expect([stopped.actions(), reads(stopped)]).to.deep.equal([[adm('secondary', 'r0'), adm('down', 'r0'), DELETE], 1]);
    });

    it('stop demotes a Primary, takes it down and deletes the score', async () => {
      const drbd = new ScriptedDrbd();
      drbd.state = sharedFixture('events2-now-primary-connected.txt');
      drbd.on = (c) => {
        if (c === adm('secondary', 'r0')) drbd.state = sharedFixture('events2-now-secondary-peer-primary.txt');
        if (c === adm('down', 'r0')) drbd.state = sharedFixture('events2-now-not-up.txt');
        return undefined;
      };
      expect(await stop(ctx('stop', drbd))).to.equal(OcfExit.SUCCESS);
      expect(drbd.actions()).to.deep.equal([adm('secondary', 'r0'), adm('down', 'r0'), DELETE]);
    });

    it('stop retries a refused down (device held open) after the next state change', async () => {
      const drbd = new ScriptedDrbd();
      let downs = 0;
      drbd.on = (c) => {
        if (c !== adm('down', 'r0')) return undefined;
        if (++downs === 1) return { exitCode: 11, stderr: 'r0: State change failed: (-12) Device is held open by someone\n' };
        drbd.state = sharedFixture('events2-now-not-up.txt');
        return {};
      };
      expect(await stop(ctx('stop', drbd))).to.equal(OcfExit.SUCCESS);
      expect(downs).to.equal(2);
    });

    it("stop_outdates_secondary outdates the local data only when another node, by Pacemaker's names, is Promoted", async () => {
      const outdates = async (promoted: string) => {
        const drbd = new ScriptedDrbd();
        drbd.on = (c) => (c === adm('down', 'r0') ? ((drbd.state = sharedFixture('events2-now-not-up.txt')), {}) : undefined);
        const env = { OCF_RESKEY_stop_outdates_secondary: 'true', OCF_RESKEY_CRM_meta_on_node: 'fo1', OCF_RESKEY_CRM_meta_notify_promoted_uname: promoted };
        expect(await stop(ctx('stop', drbd, env))).to.equal(OcfExit.SUCCESS);
        return drbd.actions().includes(adm('outdate', 'r0'));
      };
      expect(await outdates('fo2')).to.equal(true);
      expect(await outdates('FO1')).to.equal(false);
    });
  });

  describe('notify', () => {
    it('does nothing on pre-promote, adjusts on a start, recomputes the score after', async () => {
      const pre = new ScriptedDrbd();
      expect(await notify(ctx('notify', pre, { OCF_RESKEY_CRM_meta_notify_type: 'pre', OCF_RESKEY_CRM_meta_notify_operation: 'promote' }))).to.equal(OcfExit.SUCCESS);
      expect(pre.calls).to.deep.equal([]);
      const start = new ScriptedDrbd();
      expect(await notify(ctx('notify', start, { OCF_RESKEY_CRM_meta_notify_type: 'post', OCF_RESKEY_CRM_meta_notify_operation: 'start' }))).to.equal(OcfExit.SUCCESS);
      expect(start.actions()).to.deep.equal([adm('adjust', 'r0'), SET(10000)]);
    });

    it('returns 0 even when everything fails', async () => {
      const drbd = new ScriptedDrbd();
      drbd.on = () => ({ exitCode: 20, stderr: 'boom' });
      expect(await notify(ctx('notify', drbd, { OCF_RESKEY_CRM_meta_notify_type: 'post', OCF_RESKEY_CRM_meta_notify_operation: 'stop' }))).to.equal(OcfExit.SUCCESS);
    });
  });
});
