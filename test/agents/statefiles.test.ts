// SPDX-License-Identifier: GPL-2.0-or-later
// Injection and privilege, on the installed agents: parameter values with shell metacharacters, line breaks and
// option-like forms reach the commands as data (a recording double on PATH keeps each argv exactly); state files
// under HA_RSCTMP are 0600 regular files, never written through whatever was pre-placed there (a symlink, a FIFO,
// a symlinked HA_RSCTMP); IPaddr2's stop signals only its own background announcer, whatever its pid file says;
// meta-data runs as nobody and writes nothing.
import { spawn } from 'node:child_process';
import { chmod, lstat, mkdir, mkdtemp, readFile, readdir, rm, stat, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { execa } from 'execa';
import { OcfExit } from '../../lib/ocf/exit-codes.js';
import { isAlive } from '../../scripts/lab/sys.js';
import { spawnAgent, type AgentRunOptions } from '../helpers/agent.js';
import { agentInNamespace, createDoubles, type Doubles } from '../helpers/doubles.js';
import { createLoneNode } from '../helpers/lone-node.js';
import type { NetnsLab } from '../helpers/netns.js';

const AGENTS = ['IPaddr2', 'Filesystem', 'MailTo', 'drbd'] as const;
/** Shell syntax that would create CANARY if any shell ever read the value. */
const shellBait = (canary: string): string => `x;touch ${canary} $(touch ${canary}) \`touch ${canary}\` | & > <'"*?`;

async function exists(file: string): Promise<boolean> {
  return lstat(file).then(
    () => true,
    () => false,
  );
}

/** Every file under dir (relative paths), for before/after comparisons. */
async function listTree(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (sub: string): Promise<void> => {
    for (const entry of await readdir(path.join(dir, sub), { withFileTypes: true }).catch(() => [])) {
      const rel = path.join(sub, entry.name);
      out.push(rel);
      if (entry.isDirectory()) await walk(rel);
    }
  };
  await walk('');
  return out.sort();
}

describe('injection and privilege (installed agents)', function () {
  this.timeout(60_000);
  let tmp: string;
  let doubles: Doubles;
  let canary: string;

  beforeEach(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'tsha-statefiles-'));
    doubles = await createDoubles('inject');
    canary = path.join(tmp, 'canary');
  });
  afterEach(async () => {
    await doubles.remove();
    await rm(tmp, { recursive: true, force: true });
  });

  describe('values reach commands as data', () => {
    it('Filesystem: a tmpfs source and a directory full of shell syntax, and an option-like source, are single mount arguments', async () => {
      await doubles.record('mount');
      const directory = path.join(tmp, `dir with space;$(touch ${canary})`);
      const cases = [
        { device: shellBait(canary), directory },
        // mount(8) would read these as options (a bind mount, its help) if they came before `--`
        { device: '--bind', directory: path.join(tmp, 'opt1') },
        { device: '-rf', directory: path.join(tmp, 'opt2') },
      ];
      try {
        for (const [i, c] of cases.entries()) {
          const options: AgentRunOptions = {
            instance: `fsinj${i}`,
            params: { device: c.device, directory: c.directory, fstype: 'tmpfs', options: 'size=1m' },
            env: { PATH: doubles.path(), HA_RSCTMP: path.join(tmp, 'rsc') },
          };
          const start = await spawnAgent('Filesystem', 'start', options);
          expect(start.rc, start.stderr).to.equal(OcfExit.SUCCESS);
          const monitor = await spawnAgent('Filesystem', 'monitor', { ...options, meta: { interval: '20000' } });
          expect(monitor.rc, `the mount table shows the source as given\n${monitor.stderr}`).to.equal(OcfExit.SUCCESS);
          const stop = await spawnAgent('Filesystem', 'stop', options);
          expect(stop.rc, stop.stderr).to.equal(OcfExit.SUCCESS);
        }
        const calls = await doubles.calls('mount');
        expect(calls).to.have.length(cases.length);
        for (const [i, c] of cases.entries()) {
          // the values come after `--`, each whole, in mount(8)'s order: source, then target
          expect(calls[i]!.slice(-3)).to.deep.equal(['--', c.device, c.directory]);
        }
        expect(await exists(canary), 'a shell ran the value').to.equal(false);
      } finally {
        await execa('sh', ['-c', `grep -F "${tmp}" /proc/self/mountinfo | cut -d' ' -f5 | xargs -r -n1 umount -l`], { reject: false });
      }
    });

    it('MailTo: a subject with line breaks and shell syntax stays one Subject header; the argv is `-i` and the recipients only', async () => {
      await doubles.record('sendmail', '/bin/true', true);
      const subject = `${shellBait(canary)}\nBcc: intruder@example.com\r\nX-Injected: yes`;
      const options: AgentRunOptions = {
        instance: 'mailinj',
        params: { email: 'root, admin@example.com', subject },
        env: { PATH: doubles.path(), HA_RSCTMP: path.join(tmp, 'rsc') },
      };
      expect((await spawnAgent('MailTo', 'start', options)).rc).to.equal(OcfExit.SUCCESS);
      expect(await doubles.calls('sendmail')).to.deep.equal([['-i', 'root', 'admin@example.com']]);
      const message = await doubles.input('sendmail');
      const headers = message.slice(0, message.indexOf('\n\n')).split('\n');
      expect(headers.filter((h) => /^(Bcc|X-Injected):/i.test(h))).to.deep.equal([]);
      expect(headers.filter((h) => h.startsWith('Subject:'))).to.have.length(1);
      expect(await exists(canary)).to.equal(false);
    });

    it('MailTo: recipients that are options or carry a header are refused (6) and sendmail is never run', async () => {
      await doubles.record('sendmail', '/bin/true');
      for (const email of ['-oQ/tmp/x root', '--help', 'root\nBcc: intruder@example.com', `root;touch ${canary}`]) {
        const run = await spawnAgent('MailTo', 'start', { instance: 'mailbad', params: { email }, env: { PATH: doubles.path(), HA_RSCTMP: path.join(tmp, 'rsc') } });
        expect(run.rc, email).to.equal(OcfExit.ERR_CONFIGURED);
        expect(run.reasonLines).to.equal(1);
      }
      expect(await doubles.calls('sendmail')).to.deep.equal([]);
      expect(await exists(canary)).to.equal(false);
    });

    it('drbd: an option-like configuration file name is the argument of -c; option-like or shell-like values are refused (6) before drbdadm runs', async () => {
      await doubles.record('drbdadm');
      const conf = path.join(tmp, '--help.conf');
      await writeFile(
        conf,
        `resource drbddata {\n  device /dev/drbd1;\n  disk /dev/tsha-test-backing;\n  meta-disk internal;\n` +
          `  on ${os.hostname()} { address 192.168.2.71:7789; }\n  on tsha-test-peer { address 192.168.2.72:7789; }\n}\n`,
      );
      const run = (params: Record<string, string>) => spawnAgent('drbd', 'validate-all', { instance: 'drbdinj', params, env: { PATH: doubles.path() } });
      const ok = await run({ drbd_resource: 'drbddata', drbdconf: conf });
      expect(ok.rc, ok.stderr).to.equal(OcfExit.SUCCESS);
      expect(await doubles.calls('drbdadm')).to.deep.equal([['-c', conf, 'sh-dev', 'drbddata']]);
      for (const params of [
        // drbdadm reads these as options (its help, a dry run) and answers 0
        { drbd_resource: '--help', drbdconf: conf },
        { drbd_resource: '-d', drbdconf: conf },
        { drbd_resource: `drbddata;touch ${canary}`, drbdconf: conf },
        { drbd_resource: 'drbddata', drbdconf: `${conf}\n$(touch ${canary})` },
      ]) {
        const refused = await run(params);
        expect(refused.rc, JSON.stringify(params)).to.equal(OcfExit.ERR_CONFIGURED);
        expect(refused.reasonLines).to.equal(1);
      }
      expect(await doubles.calls('drbdadm'), 'drbdadm ran only for the valid configuration').to.have.length(1);
      expect(await exists(canary)).to.equal(false);
    });
  });

  describe('state files', () => {
    const mailOptions = (rsctmp: string, PATH?: string): AgentRunOptions => ({
      instance: 'mailstate',
      params: { email: 'root' },
      env: { HA_RSCTMP: rsctmp, ...(PATH ? { PATH } : {}) },
    });

    beforeEach(async () => {
      await doubles.record('sendmail', '/bin/true');
    });

    it('MailTo writes its state file 0600, a regular file holding JSON, and removes it on stop', async () => {
      const rsctmp = path.join(tmp, 'rsc');
      expect((await spawnAgent('MailTo', 'start', mailOptions(rsctmp, doubles.path()))).rc).to.equal(OcfExit.SUCCESS);
      const file = path.join(rsctmp, 'MailTo_mailstate');
      const st = await lstat(file);
      expect(st.isFile()).to.equal(true);
      expect(st.mode & 0o777).to.equal(0o600);
      expect(JSON.parse(await readFile(file, 'utf8'))).to.have.keys('started', 'node');
      expect(await readdir(rsctmp)).to.deep.equal(['MailTo_mailstate']);
      expect((await spawnAgent('MailTo', 'stop', mailOptions(rsctmp, doubles.path()))).rc).to.equal(OcfExit.SUCCESS);
      expect(await readdir(rsctmp)).to.deep.equal([]);
    });

    it('a symlink named like the state file: start replaces the link, the file it points to is untouched', async () => {
      const rsctmp = path.join(tmp, 'rsc');
      await mkdir(rsctmp);
      const victim = path.join(tmp, 'victim');
      await writeFile(victim, 'precious\n', { mode: 0o644 });
      await symlink(victim, path.join(rsctmp, 'MailTo_mailstate'));
      // a link is no state: not running
      expect((await spawnAgent('MailTo', 'monitor', mailOptions(rsctmp))).rc).to.equal(OcfExit.NOT_RUNNING);
      expect((await spawnAgent('MailTo', 'start', mailOptions(rsctmp, doubles.path()))).rc).to.equal(OcfExit.SUCCESS);
      expect(await readFile(victim, 'utf8')).to.equal('precious\n');
      expect((await stat(victim)).mode & 0o777).to.equal(0o644);
      const st = await lstat(path.join(rsctmp, 'MailTo_mailstate'));
      expect(st.isSymbolicLink()).to.equal(false);
      expect(st.mode & 0o777).to.equal(0o600);
      expect((await spawnAgent('MailTo', 'stop', mailOptions(rsctmp, doubles.path()))).rc).to.equal(OcfExit.SUCCESS);
      expect(await readFile(victim, 'utf8')).to.equal('precious\n');
    });

    it('a FIFO named like the state file: monitor answers at once (not running) instead of blocking on it', async () => {
      const rsctmp = path.join(tmp, 'rsc');
      await mkdir(rsctmp);
      await execa('mkfifo', [path.join(rsctmp, 'MailTo_mailstate')]);
      const monitor = await spawnAgent('MailTo', 'monitor', { ...mailOptions(rsctmp), meta: { interval: '10000', timeout: '5000' } });
      expect(monitor.rc, monitor.stderr).to.equal(OcfExit.NOT_RUNNING);
      // and start puts a regular file in its place
      expect((await spawnAgent('MailTo', 'start', mailOptions(rsctmp, doubles.path()))).rc).to.equal(OcfExit.SUCCESS);
      expect((await lstat(path.join(rsctmp, 'MailTo_mailstate'))).isFile()).to.equal(true);
    });

    it('a symlinked HA_RSCTMP is refused: start fails (1) writing nothing through it, monitor says not running, stop touches nothing', async () => {
      const elsewhere = path.join(tmp, 'elsewhere');
      await mkdir(elsewhere);
      // what the link points to already holds a file named like the state file
      await writeFile(path.join(elsewhere, 'MailTo_mailstate'), 'not ours\n');
      const rsctmp = path.join(tmp, 'rsc-link');
      await symlink(elsewhere, rsctmp);
      const start = await spawnAgent('MailTo', 'start', mailOptions(rsctmp, doubles.path()));
      expect(start.rc).to.equal(OcfExit.ERR_GENERIC);
      expect(start.reason).to.match(/symlink/);
      expect((await spawnAgent('MailTo', 'monitor', { ...mailOptions(rsctmp), meta: { interval: '10000' } })).rc).to.equal(OcfExit.NOT_RUNNING);
      expect((await spawnAgent('MailTo', 'stop', mailOptions(rsctmp, doubles.path()))).rc).to.equal(OcfExit.SUCCESS);
      expect(await readdir(elsewhere)).to.deep.equal(['MailTo_mailstate']);
      expect(await readFile(path.join(elsewhere, 'MailTo_mailstate'), 'utf8')).to.equal('not ours\n');
      expect(await doubles.calls('sendmail')).to.deep.equal([]);
    });
  });

  describe("IPaddr2's background announcer pid file", () => {
    let lab: NetnsLab;
    let agent: string;
    let nsDir: string;
    before(async () => {
      const node = await createLoneNode('sfip', 'eth1', '10.78.0.1/24');
      lab = node.lab;
      const ns = node.ns;
      nsDir = await mkdtemp(path.join(os.tmpdir(), 'tsha-statefiles-ns-'));
      agent = await agentInNamespace(nsDir, 'IPaddr2', ns);
    });
    after(async () => {
      await lab?.destroy();
      await rm(nsDir, { recursive: true, force: true });
    });
    const options = (rsctmp: string, PATH: string): AgentRunOptions => ({
      path: agent,
      instance: 'vipstate',
      params: { ip: '10.78.0.10', nic: 'eth1', cidr_netmask: '24', arp_count: '3', arp_interval: '1000' },
      env: { HA_RSCTMP: rsctmp, PATH },
    });

    it('start writes it 0600 with the pid of a live announcer; stop ends that announcer and removes the file', async () => {
      // an arping that takes its time, so the announcer is still there when stop comes
      await doubles.record('arping', '/bin/true');
      const rsctmp = path.join(tmp, 'rsc');
      expect((await spawnAgent('IPaddr2', 'start', options(rsctmp, doubles.path()))).rc).to.equal(OcfExit.SUCCESS);
      const file = path.join(rsctmp, 'IPaddr2_vipstate.announce');
      const st = await lstat(file);
      expect(st.isFile()).to.equal(true);
      expect(st.mode & 0o777).to.equal(0o600);
      const text = await readFile(file, 'utf8');
      expect(text).to.match(/^\d+\n$/);
      const pid = Number(text);
      expect(isAlive(pid), 'the announcer runs (3 ARPs a second apart)').to.equal(true);
      expect((await spawnAgent('IPaddr2', 'stop', options(rsctmp, doubles.path()))).rc).to.equal(OcfExit.SUCCESS);
      expect(isAlive(pid), 'stop returned with the announcer still running').to.equal(false);
      expect(await exists(file)).to.equal(false);
    });

    it('stop never signals a process the pid file names that is not its announcer (a sleep, init, the caller, -1)', async () => {
      const rsctmp = path.join(tmp, 'rsc');
      await mkdir(rsctmp, { recursive: true });
      const sleeper = spawn('sleep', ['1000'], { stdio: 'ignore' });
      try {
        for (const content of [`${sleeper.pid}\n`, '1\n', `${process.pid}\n`, '-1\n', `${sleeper.pid} 1\n`]) {
          await writeFile(path.join(rsctmp, 'IPaddr2_vipstate.announce'), content, { mode: 0o600 });
          const stop = await spawnAgent('IPaddr2', 'stop', options(rsctmp, doubles.path()));
          expect(stop.rc, content).to.equal(OcfExit.SUCCESS);
          expect(isAlive(sleeper.pid!), `the sleep survives a pid file holding ${JSON.stringify(content)}`).to.equal(true);
          expect(await exists(path.join(rsctmp, 'IPaddr2_vipstate.announce'))).to.equal(false);
        }
        // a symlink named like the pid file, to a file holding the sleep's pid: not read, not followed on removal
        const target = path.join(tmp, 'pid-target');
        await writeFile(target, `${sleeper.pid}\n`);
        await symlink(target, path.join(rsctmp, 'IPaddr2_vipstate.announce'));
        expect((await spawnAgent('IPaddr2', 'stop', options(rsctmp, doubles.path()))).rc).to.equal(OcfExit.SUCCESS);
        expect(isAlive(sleeper.pid!)).to.equal(true);
        expect(await readFile(target, 'utf8')).to.equal(`${sleeper.pid}\n`);
      } finally {
        sleeper.kill('SIGKILL');
      }
    });
  });

  describe('meta-data as nobody', () => {
    for (const agent of AGENTS) {
      it(`${agent}: prints valid meta-data as uid 65534 and creates no file in cwd, HA_RSCTMP, TMPDIR or /tmp`, async () => {
        // every place writable by nobody, so that a write would succeed if the agent tried one
        const cwd = path.join(tmp, 'cwd');
        const rsctmp = path.join(tmp, 'rsctmp');
        const tmpdir = path.join(tmp, 'tmpdir');
        for (const dir of [cwd, rsctmp, tmpdir]) {
          await mkdir(dir);
          await chmod(dir, 0o777);
        }
        await chmod(tmp, 0o755);
        const marker = path.join(tmp, 'marker');
        await writeFile(marker, '');
        const result = await execa(
          'setpriv',
          ['--reuid', '65534', '--regid', '65534', '--clear-groups', `/usr/lib/ocf/resource.d/tsha/${agent}`, 'meta-data'],
          { cwd, env: { PATH: '/usr/sbin:/bin:/usr/bin', HA_RSCTMP: rsctmp, TMPDIR: tmpdir, OCF_ROOT: '/usr/lib/ocf', HOME: '/nonexistent' }, extendEnv: false, reject: false },
        );
        expect(result.exitCode, String(result.stderr)).to.equal(0);
        expect(String(result.stdout)).to.include(`<resource-agent name="${agent}"`);
        expect(String(result.stderr)).to.equal('');
        expect(await listTree(cwd)).to.deep.equal([]);
        expect(await listTree(rsctmp)).to.deep.equal([]);
        expect(await listTree(tmpdir)).to.deep.equal([]);
        const created = await execa('find', ['/tmp', '-xdev', '-user', '65534', '-newer', marker], { reject: false });
        expect(String(created.stdout)).to.equal('');
      });
    }
  });
});
