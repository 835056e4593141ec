// SPDX-License-Identifier: GPL-2.0-or-later
// The pipeline every agent runs through, with an agent made for the test and in-memory io.
import { mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import { expect } from 'chai';
import sinon from 'sinon';
import { defineAgent, type ActionContext } from '../../../lib/ocf/agent.js';
import { OcfExit } from '../../../lib/ocf/exit-codes.js';
import { OcfError } from '../../../lib/ocf/errors.js';
import { param } from '../../../lib/ocf/params.js';
import { invalidEnvironmentOutcome } from '../../../lib/ocf/policy.js';
import { runAgent } from '../../../lib/ocf/run.js';
import { processStart, stateFileName } from '../../../lib/state.js';

const devNull = openSync('/dev/null', 'w');
const params = {
  target: param.string({ shortdesc: 't', longdesc: 'target', required: true }),
  level: param.integer({ shortdesc: 'l', longdesc: 'level', default: 1, min: 0 }),
} as const;
type Ctx = ActionContext<typeof params>;

function makeAgent(overrides: { validate?: (ctx: Ctx) => Promise<void>; monitor?: (ctx: Ctx) => Promise<0 | 7>; start?: (ctx: Ctx) => Promise<0> } = {}) {
  const seen: Ctx[] = [];
  const agent = defineAgent({
    name: 'Probe',
    version: '1',
    shortdesc: 's',
    longdesc: 'l',
    params,
    actions: {
      start: { timeout: '20s', handler: async (ctx) => (seen.push(ctx), overrides.start ? overrides.start(ctx) : OcfExit.SUCCESS) },
      stop: { timeout: '20s', handler: async (ctx) => (seen.push(ctx), OcfExit.SUCCESS) },
      monitor: { timeout: '20s', interval: '10s', handler: async (ctx) => (seen.push(ctx), overrides.monitor ? overrides.monitor(ctx) : OcfExit.NOT_RUNNING) },
    },
    ...(overrides.validate ? { validate: overrides.validate } : {}),
  });
  return { agent, seen };
}

async function run(agent: ReturnType<typeof makeAgent>['agent'], argv: string[], env: NodeJS.ProcessEnv = {}) {
  let stdout = '';
  let stderr = '';
  const rc = await runAgent(agent, {
    argv,
    env: { ...env },
    stdout: { write: (t: string) => (stdout += t) },
    stderr: { write: (t: string) => (stderr += t) },
    logFd: devNull,
  });
  return { rc, stdout, stderr };
}

describe('lib/ocf/run (the action pipeline)', () => {
  afterEach(() => sinon.restore());

  it('no action: usage on stderr and 2', async () => {
    const { rc, stderr, stdout } = await run(makeAgent().agent, []);
    expect(rc).to.equal(OcfExit.ERR_ARGS);
    expect(stderr).to.match(/^usage: Probe \{/);
    expect(stdout).to.equal('');
  });

  it('unknown action: 3 with one exit reason', async () => {
    const { rc, stderr } = await run(makeAgent().agent, ['explode', 'extra']);
    expect(rc).to.equal(OcfExit.ERR_UNIMPLEMENTED);
    expect(stderr).to.equal('ocf-exit-reason:`explode`: action not supported by Probe\n');
  });

  it('meta-data needs no parameters and writes XML only on stdout', async () => {
    const { rc, stdout, stderr } = await run(makeAgent().agent, ['meta-data']);
    expect(rc).to.equal(0);
    expect(stdout).to.match(/^<\?xml/);
    expect(stderr).to.equal('');
  });

  it('ignores extra arguments after the action', async () => {
    const { rc } = await run(makeAgent().agent, ['monitor', 'extra'], { OCF_RESKEY_target: 'x' });
    expect(rc).to.equal(OcfExit.NOT_RUNNING);
  });

  it('treats status as monitor', async () => {
    const { agent, seen } = makeAgent();
    expect((await run(agent, ['status'], { OCF_RESKEY_target: 'x' })).rc).to.equal(OcfExit.NOT_RUNNING);
    expect(seen[0]!.action).to.equal('monitor');
  });

  it('hands the handler typed parameters, meta with defaults, probe flag, check level and the instance', async () => {
    const { agent, seen } = makeAgent();
    await run(agent, ['monitor'], { OCF_RESKEY_target: 'db', OCF_RESKEY_level: '3', OCF_RESOURCE_INSTANCE: 'rsc:1', OCF_CHECK_LEVEL: '10' });
    const ctx = seen[0]!;
    expect(ctx.params).to.deep.equal({ target: 'db', level: 3 });
    expect(ctx.isProbe).to.equal(true);
    expect(ctx.checkLevel).to.equal(10);
    expect(ctx.instance).to.equal('rsc:1');
    expect(ctx.meta.cloneMax).to.equal(2);
    expect(ctx.deadline.remaining()).to.be.within(17_000, 20_000);
    await run(agent, ['monitor'], { OCF_RESKEY_target: 'db', OCF_RESKEY_CRM_meta_interval: '10000' });
    expect(seen[1]!.isProbe).to.equal(false);
  });

  it('sets PATH itself when none is given (pcs validate-all passes none)', async () => {
    const { agent } = makeAgent();
    const env: NodeJS.ProcessEnv = { OCF_RESKEY_target: 'x' };
    await runAgent(agent, { argv: ['validate-all'], env, stdout: { write: () => 0 }, stderr: { write: () => 0 } });
    expect(env.PATH).to.equal('/usr/sbin:/sbin:/usr/bin:/bin');
  });

  describe('invalid environment', () => {
    const cases: [string, NodeJS.ProcessEnv, number, boolean][] = [
      ['start', {}, OcfExit.ERR_CONFIGURED, true],
      ['validate-all', {}, OcfExit.ERR_CONFIGURED, true],
      ['stop', {}, OcfExit.SUCCESS, false],
      ['monitor', {}, OcfExit.NOT_RUNNING, false], // a probe
      ['monitor', { OCF_RESKEY_CRM_meta_interval: '10000' }, OcfExit.ERR_GENERIC, true],
    ];
    for (const [action, env, expected, reported] of cases) {
      it(`${action}${env.OCF_RESKEY_CRM_meta_interval ? ' (recurring)' : ''} with a missing required parameter returns ${expected}`, async () => {
        const { agent, seen } = makeAgent();
        const { rc, stderr } = await run(agent, [action], env);
        expect(rc).to.equal(expected);
        expect(seen).to.have.length(0);
        expect(stderr.includes('ocf-exit-reason:required parameter `target` is not set')).to.equal(reported);
      });
    }
    it('a malformed value names the parameter', async () => {
      const { rc, stderr } = await run(makeAgent().agent, ['start'], { OCF_RESKEY_target: 'x', OCF_RESKEY_level: 'high' });
      expect(rc).to.equal(OcfExit.ERR_CONFIGURED);
      expect(stderr).to.equal('ocf-exit-reason:expected parameter `level` to be an integer, got `high`\n');
    });
    it('runs validate() before start and validate-all only, and a probe turns its failure into 7', async () => {
      const validate = sinon.stub().rejects(OcfError.installed('`tool` is not installed'));
      const { agent, seen } = makeAgent({ validate });
      const env = { OCF_RESKEY_target: 'x' };
      expect((await run(agent, ['start'], env)).rc).to.equal(OcfExit.ERR_INSTALLED);
      expect((await run(agent, ['validate-all'], env)).rc).to.equal(OcfExit.ERR_INSTALLED);
      expect((await run(agent, ['monitor'], env)).rc).to.equal(OcfExit.NOT_RUNNING);
      expect((await run(agent, ['stop'], env)).rc).to.equal(OcfExit.SUCCESS);
      expect(validate.callCount).to.equal(2);
      expect(seen.map((c) => c.action)).to.deep.equal(['monitor', 'stop']);
    });
    it('the policy table itself', () => {
      expect(invalidEnvironmentOutcome('stop', false, OcfExit.ERR_CONFIGURED)).to.deep.equal({ code: 0, report: false });
      expect(invalidEnvironmentOutcome('monitor', true, OcfExit.ERR_INSTALLED)).to.deep.equal({ code: 7, report: false });
      expect(invalidEnvironmentOutcome('monitor', false, OcfExit.ERR_INSTALLED)).to.deep.equal({ code: 1, report: true });
      expect(invalidEnvironmentOutcome('promote', false, OcfExit.ERR_PERM)).to.deep.equal({ code: 4, report: true });
    });
  });

  it('a monitor whose handler finds the environment wrong: a probe returns 7, a recurring monitor 1', async () => {
    const { agent } = makeAgent({ monitor: async () => Promise.reject(OcfError.installed('`ip` is not installed')) });
    expect((await run(agent, ['monitor'], { OCF_RESKEY_target: 'x' })).rc).to.equal(OcfExit.NOT_RUNNING);
    const recurring = await run(agent, ['monitor'], { OCF_RESKEY_target: 'x', OCF_RESKEY_CRM_meta_interval: '10000' });
    expect(recurring.rc).to.equal(OcfExit.ERR_GENERIC);
    expect(recurring.stderr).to.equal('ocf-exit-reason:`ip` is not installed\n');
  });

  it('runs configure() before every action; what it refuses follows the invalid-environment policy', async () => {
    const seen: unknown[] = [];
    const agent = defineAgent({
      name: 'Configured',
      version: '1',
      shortdesc: 's',
      longdesc: 'l',
      params,
      configure: (p) => {
        if (p.level > 5) throw OcfError.configured('`level` above 5 needs a target ending in -big');
        return { doubled: p.level * 2 };
      },
      actions: {
        start: { timeout: '20s', handler: async (ctx) => (seen.push(ctx.config), OcfExit.SUCCESS) },
        stop: { timeout: '20s', handler: async (ctx) => (seen.push(ctx.config), OcfExit.SUCCESS) },
        monitor: { timeout: '20s', handler: async (ctx) => (seen.push(ctx.config.doubled), OcfExit.NOT_RUNNING) },
      },
    });
    expect((await run(agent as never, ['start'], { OCF_RESKEY_target: 'x', OCF_RESKEY_level: '3' })).rc).to.equal(0);
    expect(seen).to.deep.equal([{ doubled: 6 }]);
    const bad = { OCF_RESKEY_target: 'x', OCF_RESKEY_level: '9' };
    const start = await run(agent as never, ['start'], bad);
    expect(start.rc).to.equal(OcfExit.ERR_CONFIGURED);
    expect(start.stderr).to.equal('ocf-exit-reason:`level` above 5 needs a target ending in -big\n');
    expect((await run(agent as never, ['stop'], bad)).rc).to.equal(OcfExit.SUCCESS);
    expect((await run(agent as never, ['monitor'], bad)).rc).to.equal(OcfExit.NOT_RUNNING);
    expect((await run(agent as never, ['monitor'], { ...bad, OCF_RESKEY_CRM_meta_interval: '10000' })).rc).to.equal(OcfExit.ERR_GENERIC);
    expect(seen).to.have.length(1);
  });

  it('validate-all succeeds silently', async () => {
    const { rc, stdout, stderr } = await run(makeAgent().agent, ['validate-all'], { OCF_RESKEY_target: 'x' });
    expect([rc, stdout, stderr]).to.deep.equal([0, '', '']);
  });

  it('an OcfError from a handler becomes its code and one exit reason', async () => {
    const { agent } = makeAgent({ start: async () => Promise.reject(OcfError.generic('disk on fire\nreally')) });
    const { rc, stderr } = await run(agent, ['start'], { OCF_RESKEY_target: 'x' });
    expect(rc).to.equal(OcfExit.ERR_GENERIC);
    expect(stderr).to.equal('ocf-exit-reason:disk on fire really\n');
  });

  it('an unexpected throw becomes ERR_GENERIC without a stack trace', async () => {
    const { agent } = makeAgent({ start: async () => Promise.reject(new TypeError('x is undefined')) });
    const { rc, stderr } = await run(agent, ['start'], { OCF_RESKEY_target: 'x', OCF_EXIT_REASON_PREFIX: 'reason:' });
    expect(rc).to.equal(OcfExit.ERR_GENERIC);
    expect(stderr).to.equal('reason:unexpected error: x is undefined\n');
  });

  describe('declared programs and the stop policy', () => {
    // a program no PATH holds, and one every machine has
    const programs = [
      { name: 'tsha-no-such-program', provider: 'nothing', actions: ['start', 'stop', 'monitor'] as const },
      { name: 'sh', provider: 'dash', actions: ['start'] as const, validateLevel: 0 },
    ];
    function agentWith(stopWhenBroken: 'stopped' | 'failed' | undefined, stopThrows = false) {
      const ran: string[] = [];
      const agent = defineAgent({
        name: 'Needy',
        version: '1',
        shortdesc: 's',
        longdesc: 'l',
        params,
        programs: programs.map((p) => ({ ...p, when: (v: { target: string }) => v.target !== 'without' })),
        ...(stopWhenBroken ? { stopWhenBroken } : {}),
        actions: {
          start: { timeout: '20s', handler: async () => (ran.push('start'), OcfExit.SUCCESS) },
          stop: {
            timeout: '20s',
            handler: async () => {
              ran.push('stop');
              if (stopThrows) throw OcfError.installed('`umount` is not installed');
              return OcfExit.SUCCESS;
            },
          },
          monitor: { timeout: '20s', handler: async () => (ran.push('monitor'), OcfExit.NOT_RUNNING) },
        },
      });
      return { agent, ran };
    }
    const env = { OCF_RESKEY_target: 'x', PATH: '/usr/bin:/bin' };

    it('a missing program fails the actions that need it with 5 and its provider, before the handler runs', async () => {
      const { agent, ran } = agentWith(undefined);
      const start = await run(agent as never, ['start'], env);
      expect([start.rc, start.stderr]).to.deep.equal([OcfExit.ERR_INSTALLED, 'ocf-exit-reason:`tsha-no-such-program` is not installed (nothing)\n']);
      expect((await run(agent as never, ['monitor'], env)).rc).to.equal(OcfExit.NOT_RUNNING);
      expect((await run(agent as never, ['monitor'], { ...env, OCF_RESKEY_CRM_meta_interval: '10000' })).rc).to.equal(OcfExit.ERR_GENERIC);
      expect(ran).to.deep.equal([]);
    });

    it('validate-all looks for a program from its check level on; `when` leaves out what a configuration does not use', async () => {
      const { agent, ran } = agentWith(undefined);
      expect((await run(agent as never, ['validate-all'], env)).rc).to.equal(OcfExit.SUCCESS);
      expect((await run(agent as never, ['validate-all'], { ...env, OCF_CHECK_LEVEL: '10' })).rc).to.equal(OcfExit.ERR_INSTALLED);
      expect((await run(agent as never, ['start'], { ...env, OCF_RESKEY_target: 'without' })).rc).to.equal(OcfExit.SUCCESS);
      expect(ran).to.deep.equal(['start']);
    });

    it('a stop in a broken environment answers as the agent declared: 0 by default, 1 with a reason for `failed`', async () => {
      const stopped = await run(agentWith(undefined).agent as never, ['stop'], env);
      expect([stopped.rc, stopped.stderr]).to.deep.equal([OcfExit.SUCCESS, '']);
      const failed = await run(agentWith('failed').agent as never, ['stop'], env);
      expect([failed.rc, failed.stderr]).to.deep.equal([OcfExit.ERR_GENERIC, 'ocf-exit-reason:`tsha-no-such-program` is not installed (nothing)\n']);
      // the same for what the handler meets, and for parameters that do not parse (they describe no resource)
      const inHandler = await run(agentWith('failed', true).agent as never, ['stop'], { ...env, OCF_RESKEY_target: 'without' });
      expect([inHandler.rc, inHandler.stderr]).to.deep.equal([OcfExit.ERR_GENERIC, 'ocf-exit-reason:`umount` is not installed\n']);
      expect((await run(agentWith('stopped', true).agent as never, ['stop'], { ...env, OCF_RESKEY_target: 'without' })).rc).to.equal(OcfExit.SUCCESS);
      expect((await run(agentWith('failed').agent as never, ['stop'], { ...env, OCF_RESKEY_level: 'many' })).rc).to.equal(OcfExit.SUCCESS);
    });
  });

  it('a notification it cannot handle (its lock held past the deadline) answers 0 and logs; a start there answers 1', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tsha-run-'));
    try {
      const ok = async () => OcfExit.SUCCESS;
      const agent = defineAgent({
        name: 'Notified',
        version: '1',
        shortdesc: 's',
        longdesc: 'l',
        params,
        actions: {
          start: { timeout: '20s', handler: ok },
          stop: { timeout: '20s', handler: ok },
          monitor: { timeout: '20s', interval: '10s', handler: ok },
          notify: { timeout: '20s', handler: ok },
        },
      });
      // this live process holds the instance's lock
      writeFileSync(path.join(dir, `.${stateFileName('Notified', 'rsc')}.lock`), `${process.pid} ${processStart(process.pid)}\n`);
      const env = { OCF_RESKEY_target: 'x', OCF_RESOURCE_INSTANCE: 'rsc', HA_RSCTMP: dir, OCF_RESKEY_CRM_meta_timeout: '300' };
      const notified = await run(agent as never, ['notify'], env);
      expect([notified.rc, notified.stderr]).to.deep.equal([OcfExit.SUCCESS, '']);
      const started = await run(agent as never, ['start'], env);
      expect(started.rc).to.equal(OcfExit.ERR_GENERIC);
      expect(started.stderr).to.match(/^ocf-exit-reason:another action of this resource is still running \(pid \d+\)/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("names the node as Pacemaker does (CRM_meta_on_node), else by the host's name", async () => {
    const { agent, seen } = makeAgent();
    await run(agent, ['start'], { OCF_RESKEY_target: 'x', OCF_RESKEY_CRM_meta_on_node: 'fo2.home.dom' });
    await run(agent, ['start'], { OCF_RESKEY_target: 'x' });
    expect(seen.map((ctx) => ctx.node)).to.deep.equal(['fo2.home.dom', os.hostname()]);
  });
});
