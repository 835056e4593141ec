// SPDX-License-Identifier: GPL-2.0-or-later
// Every external command of every installed agent replaced in turn by a double that hangs, and by one that also
// ignores SIGTERM, first on the agent's PATH. Each action that runs the command must return before
// CRM_meta_timeout (Pacemaker SIGKILLs the agent's group there and a stop that times out fences the node), with
// the code that says what happened, and leave nothing of the command behind (its pid, its child, its process
// group: checked in /proc after the agent returned). The cases of one agent run side by side on separate
// resources, a few at a time, to keep the suite short; each `it` checks one case's outcome.
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { execa, type ResultPromise } from 'execa';
import { OcfExit } from '../../lib/ocf/exit-codes.js';
import { initMetadata, installWrappers, writeDrbdConf } from '../../scripts/drbdsim/setup.js';
import { spawnAgent, type AgentRun, type AgentRunOptions } from '../helpers/agent.js';
import { agentInNamespace, createDoubles, pooled, survivors, type DoubleProcess, type Doubles, type HangKind, type ProcEntry } from '../helpers/doubles.js';
import { createLoop, unmountAll, type LoopDevice } from '../../scripts/harness/loop.js';
import { createLoneNode } from '../helpers/lone-node.js';
import { createLab, type NetnsLab } from '../helpers/netns.js';
import { readMountTable } from '../../agents/Filesystem/proc.js';

/** CRM_meta_timeout of every action here. */
const TIMEOUT_MS = 8000;
/**
 * The share of the timeout an action may use: it must be over before Pacemaker's own kill at the timeout. The
 * agents aim at 0.9 (their margin); the time measured here also holds the spawn of the agent by the test, which
 * a loaded machine stretches, so nothing tighter than the timeout itself is a fact about the agent.
 */
const WITHIN = 1;
const KINDS: readonly HangKind[] = ['hang', 'ignore-term'];
/** Cases of one agent run this many at a time (the machine has 2 cores; the agents mostly wait). */
const PARALLEL = 8;

type Outcome = {
  readonly run: AgentRun;
  readonly started: readonly DoubleProcess[];
  readonly survivors: readonly ProcEntry[];
  /** What the case's `observe` saw of the resource afterwards. */
  readonly state: string | undefined;
  readonly error?: unknown;
};

type Case = {
  readonly command: string;
  /** sh `case` pattern: only these calls hang (default: every call). */
  readonly only?: string;
  readonly action: string;
  readonly expected: number;
  /** The resource's state the action should leave, as `observe` reports it. */
  readonly state?: string;
  readonly kinds?: readonly HangKind[];
};

/** What an agent's suite provides for its cases: running one, with the double's folder first on PATH. */
type Runner = (c: Case, kind: HangKind, i: number, doubles: Doubles) => Promise<{ run: AgentRun; state?: string }>;

const jobsOf = (cases: readonly Case[]) => cases.flatMap((c) => (c.kinds ?? KINDS).map((kind) => ({ c, kind })));

function title(c: Case, kind: HangKind): string {
  const what = c.only ? `\`${c.command}\` (${c.only.replace(/\*/g, '').replace(/"/g, '').trim()})` : `\`${c.command}\``;
  const expectedState = c.state ? `, ${c.state}` : '';
  return `${what} ${kind === 'hang' ? 'hangs' : 'hangs ignoring SIGTERM'}: ${c.action} → ${c.expected}${expectedState}, in time, nothing left`;
}

/**
 * Runs every case (each with its own double folder) a few at a time and registers one `it` per case. `before`
 * runs them; the `it`s read the outcomes.
 */
function defineCases(label: string, cases: readonly Case[], runner: () => Runner, real: () => Record<string, string> = () => ({})): void {
  const jobs = jobsOf(cases);
  const outcomes: (Outcome | undefined)[] = [];
  before(async function () {
    this.timeout(jobs.length * TIMEOUT_MS * 3 + 60_000);
    const run = runner();
    const results = await pooled(
      PARALLEL,
      jobs.map(({ c, kind }, i) => async (): Promise<Outcome> => {
        const doubles = await createDoubles(label);
        try {
          const passTo = real()[c.command];
          await doubles.hang(c.command, { kind, ...(c.only === undefined ? {} : { only: c.only }), ...(passTo === undefined ? {} : { real: passTo }) });
          const { run: result, state } = await run(c, kind, i, doubles);
          const started = await doubles.started();
          return { run: result, started, survivors: await survivors(started), state };
        } catch (error) {
          const started = await doubles.started();
          return { run: { rc: -1, stdout: '', stderr: String(error), reason: undefined, reasonLines: 0, ms: 0 }, started, survivors: await survivors(started), state: undefined, error };
        } finally {
          await killAll(await doubles.started());
          await doubles.remove();
        }
      }),
    );
    outcomes.push(...results);
    const shares = results.map((o) => o.run.ms / TIMEOUT_MS).sort((a, b) => a - b);
    console.log(`      ${label}: ${results.length} runs, share of the timeout used: median ${shares[shares.length >> 1]?.toFixed(3)}, max ${shares.at(-1)?.toFixed(3)}`);
  });
  jobs.forEach(({ c, kind }, i) => {
    it(title(c, kind), () => {
      const o = outcomes[i];
      if (!o) throw new Error('the case did not run (see the before hook)');
      if (o.error) throw o.error;
      const context = `rc ${o.run.rc} after ${o.run.ms} ms\n${o.run.stderr.slice(-1500)}`;
      expect(o.started.length, `the double of ${c.command} never ran\n${context}`).to.be.greaterThan(0);
      expect(o.run.rc, context).to.equal(c.expected);
      expect(o.run.ms / TIMEOUT_MS, `share of the timeout used\n${context}`).to.be.below(WITHIN);
      expect(o.survivors, context).to.deep.equal([]);
      if (c.expected === OcfExit.SUCCESS || c.expected === OcfExit.NOT_RUNNING) expect(o.run.reasonLines, context).to.equal(0);
      else expect(o.run.reasonLines, context).to.equal(1);
      if (c.state !== undefined) expect(o.state, context).to.equal(c.state);
    });
  });
}

async function killAll(started: readonly DoubleProcess[]): Promise<void> {
  for (const p of started) {
    try {
      process.kill(-p.pgid, 'SIGKILL');
    } catch {
      // gone, as it should be
    }
  }
}

const meta = (extra: Record<string, string> = {}): Record<string, string> => ({ timeout: String(TIMEOUT_MS), ...extra });
const PROBE = { interval: '0' };
const RECURRING = { interval: '10000' };

describe('deadlines: hung external commands (installed agents)', function () {
  this.timeout(120_000);

  describe('MailTo', () => {
    let tmp: string;
    let quiet: Doubles;
    before(async () => {
      tmp = await mkdtemp(path.join(os.tmpdir(), 'tsha-deadline-mailto-'));
      // a sendmail that accepts and drops the mail, to put a resource in the started state
      quiet = await createDoubles('mailto-quiet');
      await quiet.record('sendmail', '/bin/true');
    });
    after(async () => {
      await quiet.remove();
      await rm(tmp, { recursive: true, force: true });
    });
    const cases: Case[] = [
      { command: 'sendmail', action: 'start', expected: OcfExit.SUCCESS, state: 'running' },
      { command: 'sendmail', action: 'stop', expected: OcfExit.SUCCESS, state: 'stopped' },
    ];
    defineCases('mailto', cases, () => async (c, _kind, i, doubles) => {
      const rsctmp = path.join(tmp, String(i));
      const options = (PATH: string, m: Record<string, string> = meta()): AgentRunOptions => ({
        instance: `mail${i}`,
        params: { email: 'root', subject: 'tsha deadline test' },
        meta: m,
        env: { HA_RSCTMP: rsctmp, PATH },
      });
      if (c.action === 'stop') expect((await spawnAgent('MailTo', 'start', options(quiet.path()))).rc).to.equal(OcfExit.SUCCESS);
      const run = await spawnAgent('MailTo', c.action, options(doubles.path()));
      const monitor = await spawnAgent('MailTo', 'monitor', options(quiet.path(), meta(RECURRING)));
      return { run, state: monitor.rc === OcfExit.SUCCESS ? 'running' : monitor.rc === OcfExit.NOT_RUNNING ? 'stopped' : `monitor rc ${monitor.rc}` };
    });
  });

  describe('IPaddr2', () => {
    let lab: NetnsLab;
    let tmp: string;
    let agent: string;
    before(async () => {
      tmp = await mkdtemp(path.join(os.tmpdir(), 'tsha-deadline-ipaddr2-'));
      const node = await createLoneNode('dlip', 'eth1', '10.77.0.1/24');
      lab = node.lab;
      const ns = node.ns;
      agent = await agentInNamespace(tmp, 'IPaddr2', ns);
    });
    after(async () => {
      await lab?.destroy();
      await rm(tmp, { recursive: true, force: true });
    });
    const present: Case[] = [];
    const cases: Case[] = [
      { command: 'ip', action: 'start', expected: OcfExit.ERR_GENERIC, state: 'absent' },
      { command: 'ip', only: '*" addr add "*', action: 'start', expected: OcfExit.ERR_GENERIC, state: 'absent' },
      { command: 'ip', action: 'stop', expected: OcfExit.ERR_GENERIC, state: 'present' },
      { command: 'ip', only: '*" addr del "*', action: 'stop', expected: OcfExit.ERR_GENERIC, state: 'present' },
      { command: 'ip', action: 'monitor (probe)', expected: OcfExit.ERR_GENERIC, state: 'present' },
      { command: 'ip', action: 'monitor', expected: OcfExit.ERR_GENERIC, state: 'present' },
      { command: 'ip', action: 'validate-all', expected: OcfExit.ERR_GENERIC, state: 'absent' },
      // a gratuitous ARP that cannot be sent is a warning: the address is up
      { command: 'arping', action: 'start (arp_bg=false)', expected: OcfExit.SUCCESS, state: 'present' },
      { command: 'arping', action: 'monitor (arp_count_refresh=2, arp_bg=false)', expected: OcfExit.SUCCESS, state: 'present' },
      // the background announcer outlives start by design; stop must end it, with its hung arping
      { command: 'arping', action: 'start (arp_bg=true), then stop', expected: OcfExit.SUCCESS, state: 'absent' },
    ];
    present.push(...cases.filter((c) => /^(stop|monitor)/.test(c.action)));
    defineCases('ipaddr2', cases, () => async (c, _kind, i, doubles) => {
      const ip = `10.77.0.${10 + i}`;
      const rsctmp = path.join(tmp, `rsc${i}`);
      // the event watch's confirmations would run the hung doubles too: it has its own suite (watch.test.ts)
      const params: Record<string, string> = { ip, nic: 'eth1', cidr_netmask: '24', event_watch: 'false' };
      if (c.action.includes('arp_bg=false')) params.arp_bg = 'false';
      if (c.action.includes('arp_count_refresh')) params.arp_count_refresh = '2';
      const run = (action: string, PATH: string, m: Record<string, string> = meta()) =>
        spawnAgent('IPaddr2', action, { path: agent, instance: `vip${i}`, params, meta: m, env: { HA_RSCTMP: rsctmp, PATH } });
      if (present.includes(c)) await lab.ip('n1', 'addr', 'add', `${ip}/24`, 'dev', 'eth1');
      let result: AgentRun;
      if (c.action.startsWith('start (arp_bg=true)')) {
        const start = await run('start', doubles.path());
        expect(start.rc, start.stderr).to.equal(OcfExit.SUCCESS);
        // the announcer's arping is running (hung) when stop comes
        for (let tries = 0; tries < 100 && (await doubles.started()).length === 0; tries++) await new Promise((r) => setTimeout(r, 20));
        result = await run('stop', doubles.path());
      } else {
        const action = c.action.split(' ')[0]!;
        result = await run(action, doubles.path(), meta(c.action.includes('probe') ? PROBE : c.action.startsWith('monitor') ? RECURRING : {}));
      }
      const shown = await lab.ip('n1', '-4', '-o', 'addr', 'show', 'dev', 'eth1');
      const state = shown.includes(` ${ip}/`) ? 'present' : 'absent';
      await lab.ip('n1', 'addr', 'del', `${ip}/24`, 'dev', 'eth1').catch(() => undefined);
      return { run: result, state };
    });
  });

  describe('Filesystem', () => {
    let tmp: string;
    let loop: LoopDevice;
    let loop2: LoopDevice;
    const holders: ResultPromise[] = [];
    before(async function () {
      this.timeout(60_000);
      tmp = await mkdtemp(path.join(os.tmpdir(), 'tsha-deadline-fs-'));
      loop = await createLoop({ sizeMiB: 16, fstype: 'ext4' });
      loop2 = await createLoop({ sizeMiB: 16, fstype: 'ext4' });
    });
    after(async () => {
      for (const h of holders) h.kill('SIGKILL');
      await loop?.dispose();
      await loop2?.dispose();
      await rm(tmp, { recursive: true, force: true });
    });
    const mounted = (c: Case): boolean => /^(stop|monitor)/.test(c.action);
    const cases: Case[] = [
      { command: 'mount', action: 'start', expected: OcfExit.ERR_GENERIC, state: 'not mounted' },
      { command: 'umount', action: 'stop', expected: OcfExit.ERR_GENERIC, state: 'mounted' },
      { command: 'blkid', action: 'start (device=UUID=)', expected: OcfExit.ERR_GENERIC, state: 'not mounted' },
      { command: 'blkid', action: 'stop (device=UUID=)', expected: OcfExit.ERR_GENERIC, state: 'mounted' },
      { command: 'blkid', action: 'monitor (device=UUID=)', expected: OcfExit.ERR_GENERIC, state: 'mounted' },
      { command: 'blkid', action: 'monitor (probe, device=UUID=)', expected: OcfExit.ERR_GENERIC, state: 'mounted' },
      { command: 'fsck', action: 'start (run_fsck=force)', expected: OcfExit.ERR_GENERIC, state: 'not mounted' },
      { command: 'modprobe', action: 'start (fstype=vfat, not in /proc/filesystems)', expected: OcfExit.ERR_GENERIC, state: 'not mounted' },
      { command: 'dd', action: 'monitor (depth 10)', expected: OcfExit.ERR_GENERIC, state: 'mounted' },
      { command: 'dd', action: 'monitor (depth 20)', expected: OcfExit.ERR_GENERIC, state: 'mounted' },
      { command: 'mkdir', action: 'monitor (depth 20)', expected: OcfExit.ERR_GENERIC, state: 'mounted' },
      // best-effort steps of stop: the unmount still happens in the time left
      { command: 'sync', action: 'stop', expected: OcfExit.SUCCESS, state: 'not mounted' },
      { command: 'rm', action: 'stop', expected: OcfExit.SUCCESS, state: 'not mounted' },
    ];
    // alone: its namespace would copy the other cases' mounts
    const alone: Case[] = [
      // the copy in another mount namespace cannot be released: the device is still in use
      { command: 'nsenter', action: 'stop (a copy in another mount namespace)', expected: OcfExit.ERR_GENERIC, state: 'not mounted' },
    ];
    const runner = (offset: number): Runner => async (c, _kind, index, doubles) => {
      const i = offset + index;
      const dir = path.join(tmp, `m${i}`);
      await mkdir(dir, { recursive: true });
      const otherNs = c.command === 'nsenter';
      const device = otherNs ? loop2 : loop;
      const byUuid = c.action.includes('UUID=');
      const params: Record<string, string> = {
        device: byUuid ? `UUID=${device.uuid}` : device.device,
        directory: dir,
        fstype: c.action.includes('vfat') ? 'vfat' : 'ext4',
        event_watch: 'false',
      };
      if (c.action.includes('run_fsck=force')) params.run_fsck = 'force';
      const m = meta(c.action.includes('probe') ? PROBE : c.action.startsWith('monitor') ? RECURRING : {});
      const depth = /depth (\d+)/.exec(c.action)?.[1];
      let holder: ResultPromise | undefined;
      if (mounted(c)) await execa('mount', ['-t', 'ext4', device.device, dir]);
      if (otherNs) {
        // a process in its own mount namespace, holding a private copy of the mount
        holder = execa('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', 'echo ready; exec sleep 1000'], { reject: false, buffer: false });
        holders.push(holder);
        await new Promise<void>((resolve) => holder!.stdout?.once('data', () => resolve()));
      }
      const run = await spawnAgent('Filesystem', c.action.split(' ')[0]!, {
        instance: `fs${i}`,
        params,
        meta: m,
        env: { PATH: doubles.path(), HA_RSCTMP: path.join(tmp, `rsc${i}`), ...(depth ? { OCF_CHECK_LEVEL: depth } : {}) },
      });
      const table = (await readMountTable());
      const state = table.some((e) => e.mountPoint === dir) ? 'mounted' : 'not mounted';
      holder?.kill('SIGKILL');
      await unmountAll([dir, dir]);
      return { run, state };
    };
    defineCases('fs', cases, () => runner(0));
    defineCases('fs', alone, () => runner(100));
  });

  describe('drbd (drbdsim)', () => {
    // Each case brings its own resource into the state the action needs, with the real simulator, then runs the
    // action with one command replaced. Minors and ports no other test uses (/dev is shared with the machine).
    const FIRST_MINOR = 70;
    let tmp: string;
    let lab: NetnsLab;
    let loop: LoopDevice;
    let conf: string;
    let sim: string;
    let stateDir: string;
    let agent: string;
    const peer = 'tsha-test-peer';
    const resources = new Set<string>();
    let simEnv: Record<string, string>;

    const inNode = (args: string[]) => lab.run('n1', path.join(sim, 'drbdadm'), ['-c', conf, ...args], { env: simEnv, reject: false });
    const inPeer = (args: string[]) =>
      lab.run('peer', 'unshare', ['--uts', 'sh', '-c', 'hostname "$0" && exec "$@"', peer, path.join(sim, 'drbdadm'), '-c', conf, ...args], { env: simEnv, reject: false });

    before(async function () {
      this.timeout(60_000);
      tmp = await mkdtemp(path.join(os.tmpdir(), 'tsha-deadline-drbd-'));
      stateDir = path.join(tmp, 'state');
      sim = path.join(tmp, 'sim');
      installWrappers(sim, { stateDir });
      simEnv = { TSHA_DRBDSIM_STATE: stateDir };
      loop = await createLoop({ sizeMiB: 16 });
      lab = await createLab('dldrbd');
      const ns = await lab.addNamespace('n1');
      await lab.addNamespace('peer');
      await lab.addVeth({ ns: 'n1', name: 'eth2' }, { ns: 'peer', name: 'eth2' });
      await lab.ip('n1', 'addr', 'add', '192.168.2.71/24', 'dev', 'eth2');
      await lab.ip('peer', 'addr', 'add', '192.168.2.72/24', 'dev', 'eth2');
      agent = await agentInNamespace(tmp, 'drbd', ns);
      for (let i = 0; i < jobsOf(cases).length; i++) writeResource(i);
    });
    after(async () => {
      for (const res of resources) {
        await inNode(['down', res]);
        await inPeer(['down', res]);
      }
      await lab?.destroy();
      await loop?.dispose();
      for (let minor = FIRST_MINOR; minor < FIRST_MINOR + 60; minor++) await rm(`/dev/drbd${minor}`, { force: true });
      await rm(tmp, { recursive: true, force: true });
    });

    /** Case i's own resource, written before any case runs (drbdadm reads drbd.conf on every call). */
    function writeResource(i: number): void {
      const res = `dl${i}`;
      conf = writeDrbdConf(path.join(tmp, 'etc'), {
        resource: res,
        device: `/dev/drbd${FIRST_MINOR + i}`,
        port: 7870 + i,
        nodes: [
          { name: os.hostname(), address: '192.168.2.71', disk: loop.device },
          { name: peer, address: '192.168.2.72', disk: loop.device },
        ],
      }).confFile;
      initMetadata(stateDir, res, [os.hostname(), peer]);
      resources.add(res);
    }

    const SEED_META = { clone_max: '2', clone_node_max: '1', promoted_max: '1', promoted_node_max: '1', notify: 'true' };
    type DrbdCase = Case & { readonly from: 'down' | 'secondary' | 'primary' | 'peer-primary'; readonly params?: Record<string, string> };
    const actions: [string, DrbdCase['from']][] = [
      ['start', 'down'],
      ['stop', 'secondary'],
      ['monitor (probe)', 'secondary'],
      ['monitor', 'secondary'],
      ['promote', 'secondary'],
      ['demote', 'primary'],
      ['reload', 'secondary'],
      ['notify (post-start)', 'secondary'],
    ];
    const everyCall = (command: string): DrbdCase[] =>
      actions.map(([action, from]) => ({ command, action, from, expected: action.startsWith('notify') ? OcfExit.SUCCESS : OcfExit.ERR_GENERIC }));
    const cases: DrbdCase[] = [
      // the first drbdadm call of every action is `drbdadm --version` (which module), the first drbdsetup call
      // `events2 --now` (the state)
      ...everyCall('drbdadm'),
      ...everyCall('drbdsetup'),
      // one step of an action hangs, the calls before it work
      ...(
        [
          ['*" up "*', 'start', 'down'],
          ['*" down "*', 'stop', 'secondary'],
          ['*" primary "*', 'promote', 'secondary'],
          ['*" secondary "*', 'demote', 'primary'],
          ['*" adjust "*', 'reload', 'secondary'],
        ] as const
      ).map(([only, action, from]): DrbdCase => ({ command: 'drbdadm', only, action, from, expected: OcfExit.ERR_GENERIC, kinds: ['ignore-term'] })),
      // Pacemaker's tools: the score is a hint, the resource itself is fine
      { command: 'crm_attribute', action: 'start', from: 'down', expected: OcfExit.SUCCESS },
      { command: 'crm_attribute', action: 'stop', from: 'secondary', expected: OcfExit.SUCCESS },
      { command: 'crm_attribute', action: 'monitor', from: 'secondary', expected: OcfExit.SUCCESS },
      // asked only while the peer is Primary
      { command: 'crm_resource', action: 'monitor (remove_master_score_if_peer_primary=unexpected)', from: 'peer-primary', expected: OcfExit.SUCCESS, params: { remove_master_score_if_peer_primary: 'unexpected' } },
      { command: 'crm_resource', action: 'promote (fail_promote_early_if_peer_primary=true)', from: 'peer-primary', expected: OcfExit.ERR_GENERIC, params: { fail_promote_early_if_peer_primary: 'true' } },
    ];
    defineCases('drbd', cases, () => async (plain, _kind, i, doubles) => {
      const c = plain as DrbdCase;
      const res = `dl${i}`;
      const up = async (where: typeof inNode, role: 'Secondary' | 'Primary') => {
        const r = await where(['up', res]);
        if (r.exitCode !== 0) throw new Error(`drbdadm up ${res}: ${r.stderr}`);
        if (role === 'Primary') {
          const p = await where(['primary', res]);
          if (p.exitCode !== 0) throw new Error(`drbdadm primary ${res}: ${p.stderr}`);
        }
      };
      if (c.from === 'peer-primary') {
        await up(inPeer, 'Primary');
        await up(inNode, 'Secondary');
        // connected, with the peer seen as Primary
        for (let tries = 0; tries < 100; tries++) {
          const ev = await lab.run('n1', path.join(sim, 'drbdsetup'), ['events2', '--now', res], { env: simEnv, reject: false });
          if (/exists connection .* connection:Connected role:Primary/.test(ev.stdout)) break;
          await new Promise((r) => setTimeout(r, 100));
        }
      } else if (c.from !== 'down') {
        await up(inNode, c.from === 'primary' ? 'Primary' : 'Secondary');
      }
      const action = c.action.split(' ')[0]!;
      const m = meta({
        ...SEED_META,
        ...(c.action.includes('probe') ? PROBE : action === 'monitor' ? RECURRING : {}),
        ...(action === 'notify' ? { notify_type: 'post', notify_operation: 'start' } : {}),
      });
      const run = await spawnAgent('drbd', action, {
        path: agent,
        instance: `ClusterDrbd${i}`,
        params: { drbd_resource: res, drbdconf: conf, wfc_timeout: '1', event_watch: 'false', ...c.params },
        meta: m,
        env: { ...simEnv, HA_RSCTMP: path.join(tmp, `rsc${i}`), PATH: doubles.path(sim, '/usr/sbin', '/usr/bin', '/sbin', '/bin') },
      });
      await inNode(['down', res]);
      await inPeer(['down', res]);
      return { run };
    }, () => ({ drbdadm: path.join(sim, 'drbdadm'), drbdsetup: path.join(sim, 'drbdsetup') }));
  });
});
