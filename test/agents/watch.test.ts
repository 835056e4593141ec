// SPDX-License-Identifier: GPL-2.0-or-later
// The event watch (lib/watch) with the installed agents, without a cluster: its lifecycle as the process table and
// the state files show it, and the daemon confirming a fault with the agent's own monitor (it then finds no cluster
// to report to, and says so in its log). Reports to a real Pacemaker are in test/scenarios/watch.test.ts.
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { execa } from 'execa';
import { OcfExit } from '../../lib/ocf/exit-codes.js';
import { spawnAgent, type AgentRun, type AgentRunOptions } from '../helpers/agent.js';
import { createLoneNode, type LoneNode } from '../helpers/lone-node.js';
import { isAlive } from '../../scripts/lab/sys.js';
import { processStart } from '../../lib/state.js';

const RECURRING = { interval: '10000' };
const VIP = { ip: '10.71.0.9', nic: 'eth1', cidr_netmask: '24' };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitUntil<T>(what: string, ms: number, probe: () => Promise<T | undefined>): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

function expectRc(run: AgentRun, code: number): void {
  expect(run.rc, `stderr:\n${run.stderr}`).to.equal(code);
}

/** The files of the watch folder (registrations, marks, pid file). */
const watchFiles = async (rsctmp: string): Promise<string[]> => (await readdir(path.join(rsctmp, 'tsha-watch')).catch(() => [])).sort();

/** The daemon's pid when its pid file names a live process running daemon-main.js. */
async function daemonPid(rsctmp: string): Promise<number | undefined> {
  const text = await readFile(path.join(rsctmp, 'tsha-watch', '.daemon.pid'), 'utf8').catch(() => '');
  const pid = Number(text.split(' ')[0]);
  if (!(pid > 1) || !isAlive(pid)) return undefined;
  const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
  return cmdline.includes('/lib/watch/daemon-main.js') ? pid : undefined;
}

/** Processes whose parent is pid, with their argv. */
async function childrenOf(pid: number): Promise<{ pid: number; argv: string[] }[]> {
  const out: { pid: number; argv: string[] }[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) !== pid) continue;
    out.push({ pid: Number(entry), argv: (await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '')).split('\0').filter(Boolean) });
  }
  return out;
}

/** Every process running daemon-main.js with this HA_RSCTMP (its environment names it). */
async function daemonsOf(rsctmp: string): Promise<number[]> {
  const out: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    if (!cmdline.includes('/lib/watch/daemon-main.js')) continue;
    const environ = await readFile(`/proc/${entry}/environ`, 'utf8').catch(() => '');
    if (environ.split('\0').includes(`HA_RSCTMP=${rsctmp}`)) out.push(Number(entry));
  }
  return out;
}

const failureLines = async (log: string): Promise<string[]> =>
  (await readFile(log, 'utf8').catch(() => '')).split('\n').filter((l) => l.includes('tsha-watch') && l.includes('failure seen'));

describe('event watch: lifecycle and confirmation (installed agents, no cluster)', function () {
  this.timeout(60_000);
  let tmp: string;
  let rsctmp: string;
  let log: string;

  before(function () {
    if (process.getuid?.() !== 0) throw new Error('this suite needs root (network namespaces, mounts)');
  });
  beforeEach(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'tsha-watch-'));
    rsctmp = path.join(tmp, 'rsctmp');
    log = path.join(tmp, 'ha.log');
  });
  afterEach(async () => {
    for (const pid of await daemonsOf(rsctmp)) process.kill(pid, 'SIGTERM');
    await rm(tmp, { recursive: true, force: true });
  });

  describe('IPaddr2 in a network namespace', () => {
    let node: LoneNode;
    const agent = (action: string, options: AgentRunOptions = {}) =>
      spawnAgent('IPaddr2', action, { instance: 'ClusterIP', params: VIP, netns: node.ns, ...options, env: { HA_RSCTMP: rsctmp, HA_LOGFILE: log, ...options.env } });
    beforeEach(async () => {
      node = await createLoneNode('watch', 'eth1', '10.71.0.1/24');
    });
    afterEach(async () => {
      await node?.lab.destroy();
    });

    it('start runs one daemon and registers; a deleted address is confirmed by the monitor within a second', async () => {
      expectRc(await agent('start'), OcfExit.SUCCESS);
      expect(await watchFiles(rsctmp)).to.include('IPaddr2_ClusterIP.json');
      const registration = JSON.parse(await readFile(path.join(rsctmp, 'tsha-watch', 'IPaddr2_ClusterIP.json'), 'utf8'));
      expect(registration.interest).to.deep.equal({ kind: 'ip', address: VIP.ip, nic: 'eth1' });
      expect(registration.resource).to.equal('ClusterIP');
      expect(registration.env.OCF_RESKEY_ip).to.equal(VIP.ip);
      expect(registration.env).to.not.have.property('OCF_RESKEY_CRM_meta_timeout');
      const pid = await waitUntil('the daemon', 5000, () => daemonPid(rsctmp));
      await waitUntil('ip monitor under the daemon', 5000, async () =>
        (await childrenOf(pid)).some((c) => c.argv.join(' ') === 'ip -o monitor link address') ? true : undefined,
      );
      // a second start of another resource shares the daemon
      expectRc(await agent('start', { instance: 'OtherIP', params: { ...VIP, ip: '10.71.0.10' } }), OcfExit.SUCCESS);
      expect(await daemonsOf(rsctmp)).to.deep.equal([pid]);

      const deleted = Date.now();
      await node.lab.ip('n1', 'addr', 'del', `${VIP.ip}/24`, 'dev', 'eth1');
      const [line] = await waitUntil('the daemon to confirm the failure', 5000, async () => {
        const lines = await failureLines(log);
        return lines.length > 0 ? lines : undefined;
      });
      console.log(`      address deleted → failure confirmed by the monitor after ${Date.now() - deleted} ms`);
      expect(line).to.include('resource=ClusterIP').and.include('rc=7');
      // the other address is untouched: its monitor never ran for this event
      expect((await failureLines(log)).filter((l) => l.includes('OtherIP'))).to.deep.equal([]);
    });

    it('stop removes the registration first, reports nothing, and the last stop ends the daemon and its source', async () => {
      expectRc(await agent('start'), OcfExit.SUCCESS);
      const pid = await waitUntil('the daemon', 5000, () => daemonPid(rsctmp));
      const source = await waitUntil('ip monitor', 5000, async () => (await childrenOf(pid)).find((c) => c.argv[0] === 'ip'));
      expectRc(await agent('stop'), OcfExit.SUCCESS);
      expect(await watchFiles(rsctmp)).to.not.include('IPaddr2_ClusterIP.json');
      await waitUntil('the daemon to exit', 5000, async () => (isAlive(pid) ? undefined : true));
      expect(isAlive(source.pid), 'ip monitor ended with the daemon').to.equal(false);
      expect(await watchFiles(rsctmp)).to.deep.equal([]);
      await sleep(300);
      expect(await failureLines(log), 'nothing the stop did is a failure').to.deep.equal([]);
    });

    it('a killed daemon is started again by the next recurring monitor, which says so; its orphan source goes', async () => {
      expectRc(await agent('start'), OcfExit.SUCCESS);
      const pid = await waitUntil('the daemon', 5000, () => daemonPid(rsctmp));
      const source = await waitUntil('ip monitor', 5000, async () => (await childrenOf(pid)).find((c) => c.argv[0] === 'ip'));
      process.kill(pid, 'SIGKILL');
      await waitUntil('the daemon gone', 5000, async () => (isAlive(pid) ? undefined : true));
      const quiet = await agent('monitor', { meta: RECURRING });
      expectRc(quiet, OcfExit.SUCCESS);
      expect(quiet.stderr).to.include('event watch: the daemon was not running; started it again');
      const again = await waitUntil('a new daemon', 5000, () => daemonPid(rsctmp));
      expect(again).to.not.equal(pid);
      await waitUntil('the orphan ip monitor to be ended', 5000, async () => (isAlive(source.pid) ? undefined : true));
      // with the daemon alive, a monitor says nothing about the watch
      const next = await agent('monitor', { meta: RECURRING });
      expectRc(next, OcfExit.SUCCESS);
      expect(next.stderr).to.not.include('event watch');
      expect(await daemonsOf(rsctmp)).to.deep.equal([again]);
      expectRc(await agent('stop'), OcfExit.SUCCESS);
      await waitUntil('the daemon to exit', 5000, async () => (isAlive(again) ? undefined : true));
    });

    it("a confirmation gives way to the resource's actions: none while an action holds the lock, a running one is ended", async () => {
      expectRc(await agent('start'), OcfExit.SUCCESS);
      await waitUntil('the daemon', 5000, () => daemonPid(rsctmp));
      const lock = path.join(rsctmp, '.IPaddr2_ClusterIP.lock');
      // an action of the resource runs (this process holds the lock as one would): the deleted address waits
      await writeFile(lock, `${process.pid} ${processStart(process.pid)}\n`, { mode: 0o600 });
      const confirm = await agent('monitor', { meta: RECURRING, env: { TSHA_WATCH_CONFIRM: '1' } });
      expect(confirm.rc, 'a confirming monitor does not wait for the lock').to.equal(75);
      await node.lab.ip('n1', 'addr', 'del', `${VIP.ip}/24`, 'dev', 'eth1');
      await sleep(1500);
      expect(await failureLines(log), 'no confirmation while the action runs').to.deep.equal([]);
      await rm(lock);
      const [line] = await waitUntil('the confirmation once the action is done', 5000, async () => {
        const lines = await failureLines(log);
        return lines.length > 0 ? lines : undefined;
      });
      expect(line).to.include('resource=ClusterIP').and.include('rc=7');

      // a confirmation that holds the lock when an action comes is ended (SIGTERM), and the action goes on
      const holder = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
      const ended = new Promise<NodeJS.Signals | null>((resolve) => holder.once('exit', (_code, signal) => resolve(signal)));
      await writeFile(lock, `${holder.pid} ${processStart(holder.pid!)} yields\n`, { mode: 0o600 });
      expectRc(await agent('stop'), OcfExit.SUCCESS);
      expect(await ended).to.equal('SIGTERM');
      expect(await node.lab.ip('n1', '-o', 'addr', 'show', 'dev', 'eth1')).to.not.include(VIP.ip);
    });

    it('a missing registration is written again by the recurring monitor, with a warning', async () => {
      expectRc(await agent('start'), OcfExit.SUCCESS);
      await rm(path.join(rsctmp, 'tsha-watch', 'IPaddr2_ClusterIP.json'));
      const run = await agent('monitor', { meta: RECURRING });
      expectRc(run, OcfExit.SUCCESS);
      expect(run.stderr).to.include('the registration of this resource was missing; registered it again');
      expect(await watchFiles(rsctmp)).to.include('IPaddr2_ClusterIP.json');
      expectRc(await agent('stop'), OcfExit.SUCCESS);
    });

    it('event_watch=false: no registration, no daemon, and the monitor starts none', async () => {
      const off = { params: { ...VIP, event_watch: 'false' } };
      expectRc(await agent('start', off), OcfExit.SUCCESS);
      expectRc(await agent('monitor', { ...off, meta: RECURRING }), OcfExit.SUCCESS);
      await sleep(300);
      expect(await watchFiles(rsctmp)).to.deep.equal([]);
      expect(await daemonsOf(rsctmp)).to.deep.equal([]);
      expectRc(await agent('stop', off), OcfExit.SUCCESS);
    });

    it('a failed start leaves no registration', async () => {
      await mkdir(path.join(rsctmp, 'tsha-watch'), { recursive: true });
      await writeFile(path.join(rsctmp, 'tsha-watch', 'IPaddr2_ClusterIP.json'), '{}\n');
      const run = await agent('start', { params: { ...VIP, nic: 'eth9' } });
      expect(run.rc).to.not.equal(OcfExit.SUCCESS);
      expect(await watchFiles(rsctmp)).to.deep.equal([]);
      expect(await daemonsOf(rsctmp)).to.deep.equal([]);
    });
  });

  describe('Filesystem (tmpfs)', () => {
    it('an unmount by hand is confirmed by the monitor; stop ends the watch', async () => {
      const directory = path.join(tmp, 'mnt');
      const params = { device: 'tsha-watch', directory, fstype: 'tmpfs' };
      const agent = (action: string, meta: Record<string, string> = {}) =>
        spawnAgent('Filesystem', action, { instance: 'ClusterFs', params, meta, env: { HA_RSCTMP: rsctmp, HA_LOGFILE: log } });
      expectRc(await agent('start'), OcfExit.SUCCESS);
      try {
        const pid = await waitUntil('the daemon', 5000, () => daemonPid(rsctmp));
        await waitUntil('findmnt --poll under the daemon', 5000, async () => ((await childrenOf(pid)).some((c) => c.argv[0] === 'findmnt') ? true : undefined));
        const unmounted = Date.now();
        await execa('umount', [directory]);
        const [line] = await waitUntil('the daemon to confirm the failure', 5000, async () => {
          const lines = await failureLines(log);
          return lines.length > 0 ? lines : undefined;
        });
        console.log(`      unmounted → failure confirmed by the monitor after ${Date.now() - unmounted} ms`);
        expect(line).to.include('resource=ClusterFs').and.include('rc=7');
        expectRc(await agent('start'), OcfExit.SUCCESS);
        expectRc(await agent('stop'), OcfExit.SUCCESS);
        await waitUntil('the daemon to exit', 5000, async () => (isAlive(pid) ? undefined : true));
        expect(await failureLines(log)).to.have.length(1);
      } finally {
        await execa('umount', [directory], { reject: false });
      }
    });
  });
});
