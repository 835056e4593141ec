// SPDX-License-Identifier: GPL-2.0-or-later
// ocf:tsha:MailTo as installed, against a real postfix delivering into /var/mail/root.
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm, stat, writeFile, chmod, mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { execa } from 'execa';
import { OcfExit } from '../../../lib/ocf/exit-codes.js';
import { spawnAgent, OCF_DIR } from '../../helpers/agent.js';
import { isAlive } from '../../../scripts/lab/sys.js';
import { ensurePostfix, header, headerNames, waitForMail } from '../../../scripts/mta.js';

const AGENT = `${OCF_DIR}/MailTo`;

describe('ocf:tsha:MailTo (installed, real postfix)', function () {
  this.timeout(60_000);
  let rsctmp: string;
  const token = () => `tsha-${randomBytes(5).toString('hex')}`;
  const run = (action: string | undefined, params: Record<string, string>, extra: { meta?: Record<string, string>; env?: Record<string, string> } = {}) =>
    spawnAgent('MailTo', action, { params, instance: 'mail1', env: { HA_RSCTMP: rsctmp, ...extra.env }, ...(extra.meta ? { meta: extra.meta } : {}) });

  before(async () => {
    await ensurePostfix();
  });
  beforeEach(async () => {
    rsctmp = await mkdtemp(path.join(os.tmpdir(), 'tsha-mailto-'));
  });
  afterEach(async () => {
    await rm(rsctmp, { recursive: true, force: true });
  });

  it('mails on start and on stop, with To, Subject and Date headers, and monitors through its state file', async () => {
    const subject = token();
    expect((await run('monitor', { email: 'root', subject }, { meta: { interval: '10000' } })).rc).to.equal(OcfExit.NOT_RUNNING);
    const start = await run('start', { email: 'root', subject });
    expect(start.rc).to.equal(OcfExit.SUCCESS);
    expect(start.reasonLines).to.equal(0);
    const [started] = await waitForMail(subject, 1);
    expect(started, 'start mail delivered').to.not.equal(undefined);
    expect(header(started!, 'Subject')).to.match(new RegExp(`^${subject} Takeover in progress at .* on ${os.hostname()}$`));
    expect(header(started!, 'To')).to.match(/^root(@[\w.-]+)?$/);
    expect(header(started!, 'Date')).to.match(/^\w{3}, \d{1,2} \w{3} \d{4} \d\d:\d\d:\d\d \+0000$/);
    expect(started!.body).to.include('Command line was:');

    expect((await run('monitor', { email: 'root', subject })).rc).to.equal(OcfExit.SUCCESS);
    const state = await stat(path.join(rsctmp, 'MailTo_mail1'));
    expect(state.mode & 0o777).to.equal(0o600);

    expect((await run('stop', { email: 'root', subject })).rc).to.equal(OcfExit.SUCCESS);
    const mails = await waitForMail(subject, 2);
    expect(mails).to.have.length(2);
    expect(header(mails[1]!, 'Subject')).to.match(new RegExp(`^${subject} Migrating resource away at .* from ${os.hostname()}$`));
    expect((await run('monitor', { email: 'root', subject })).rc).to.equal(OcfExit.NOT_RUNNING);
  });

  it("names the node by Pacemaker's name for it (CRM_meta_on_node), not the host name", async () => {
    const subject = token();
    expect((await run('start', { email: 'root', subject }, { meta: { on_node: 'fo9.home.dom' } })).rc).to.equal(OcfExit.SUCCESS);
    const [started] = await waitForMail(subject, 1);
    expect(header(started!, 'Subject')).to.match(new RegExp(`^${subject} Takeover in progress at .* on fo9\\.home\\.dom$`));
    expect((await run('stop', { email: 'root', subject }, { meta: { on_node: 'fo9.home.dom' } })).rc).to.equal(OcfExit.SUCCESS);
  });

  it('sends no mail for a start of a running resource or a stop of a stopped one', async () => {
    const subject = token();
    expect((await run('stop', { email: 'root', subject })).rc).to.equal(OcfExit.SUCCESS);
    expect((await run('start', { email: 'root', subject })).rc).to.equal(OcfExit.SUCCESS);
    expect((await run('start', { email: 'root', subject })).rc).to.equal(OcfExit.SUCCESS);
    expect((await run('stop', { email: 'root', subject })).rc).to.equal(OcfExit.SUCCESS);
    expect((await run('stop', { email: 'root', subject })).rc).to.equal(OcfExit.SUCCESS);
    // a marker mail sent after the last stop arrives after any mail the stops might have queued
    const marker = token();
    await execa('sendmail', ['-i', 'root'], { input: `Subject: ${marker} ${subject}\n\nmarker\n` });
    expect(await waitForMail(marker, 1)).to.have.length(1);
    const mails = await waitForMail(subject, 3, 1000);
    // one start mail, one stop mail, then the marker (whose subject's second word is `subject`)
    expect(mails.map((m) => header(m, 'Subject')!.split(' ')[1])).to.deep.equal(['Takeover', 'Migrating', subject]);
  });

  it('delivers to each of several recipients given with commas and spaces', async () => {
    const subject = token();
    await execa('useradd', ['-M', '-s', '/usr/sbin/nologin', 'tshamail'], { reject: false });
    try {
      expect((await run('start', { email: 'root, tshamail  postmaster', subject })).rc).to.equal(OcfExit.SUCCESS);
      // postmaster is an alias of root: root gets two copies, tshamail one
      expect(await waitForMail(subject, 2)).to.have.length(2);
      expect(await waitForMail(subject, 1, 20_000, '/var/mail/tshamail')).to.have.length(1);
    } finally {
      await run('stop', { email: 'root', subject });
      await execa('userdel', ['tshamail'], { reject: false });
      await rm('/var/mail/tshamail', { force: true });
    }
  });

  it('keeps a newline in the subject inside the Subject header (no header injection)', async () => {
    const subject = token();
    const start = await run('start', { email: 'root', subject: `${subject}\nBcc: intruder@example.org\r\nX-Evil: 1` });
    expect(start.rc).to.equal(OcfExit.SUCCESS);
    const [mail] = await waitForMail(subject, 1);
    expect(mail).to.not.equal(undefined);
    expect(headerNames(mail!)).to.not.include.members(['Bcc', 'X-Evil']);
    expect(header(mail!, 'Subject')).to.include(`${subject} Bcc: intruder@example.org X-Evil: 1 Takeover`);
    await run('stop', { email: 'root', subject });
  });

  it('treats shell metacharacters in the subject as text and refuses them in email (6), executing nothing', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'tsha-shell-'));
    const canary = path.join(dir, 'pwned');
    try {
      const subject = `${token()} $(touch ${canary}) \`touch ${canary}\`; touch ${canary} | x`;
      expect((await run('start', { email: 'root', subject })).rc).to.equal(OcfExit.SUCCESS);
      const [mail] = await waitForMail(subject.split(' ')[0]!, 1);
      expect(header(mail!, 'Subject')).to.include(`$(touch ${canary})`);
      await run('stop', { email: 'root', subject });

      for (const email of [`root;touch ${canary}`, `$(touch ${canary})`, `root\nBcc: x@example.org`, '-oQ/tmp root', '`id`']) {
        const result = await run('start', { email, subject: 'x' });
        expect(result.rc, email).to.equal(OcfExit.ERR_CONFIGURED);
        expect(result.reasonLines, email).to.equal(1);
        expect(result.reason, email).to.match(/`email`/);
      }
      expect(await readdir(dir)).to.deep.equal([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('does not fail start or stop when the mail cannot be sent, and bounds a hanging mail command by the timeout', async () => {
    const bin = await mkdtemp(path.join(os.tmpdir(), 'tsha-fakebin-'));
    try {
      // a sendmail that hangs, with a child of its own: both must be gone when the agent returns
      await writeFile(path.join(bin, 'sendmail'), `#!/bin/sh\nsleep 300 &\necho $! > ${bin}/child.pid\nwait\n`);
      await chmod(path.join(bin, 'sendmail'), 0o755);
      const env = { PATH: `${bin}:/usr/sbin:/usr/bin:/sbin:/bin` };
      const timeoutMs = 3000;
      const start = await run('start', { email: 'root', subject: 'hang' }, { env, meta: { timeout: String(timeoutMs) } });
      expect(start.rc).to.equal(OcfExit.SUCCESS);
      expect(start.ms, 'returned before the operation timeout').to.be.below(timeoutMs);
      const pid = Number(await readFile(path.join(bin, 'child.pid'), 'utf8'));
      expect(isAlive(pid), 'the hanging sendmail\'s child is gone').to.equal(false);
      expect((await run('monitor', { email: 'root' })).rc).to.equal(OcfExit.SUCCESS);

      await writeFile(path.join(bin, 'sendmail'), '#!/bin/sh\necho "sendmail: fatal" >&2\nexit 75\n');
      expect((await run('stop', { email: 'root', subject: 'fail' }, { env })).rc).to.equal(OcfExit.SUCCESS);
      expect((await run('monitor', { email: 'root' })).rc).to.equal(OcfExit.NOT_RUNNING);
    } finally {
      await rm(bin, { recursive: true, force: true });
    }
  });

  describe('bad input', () => {
    it('no action: usage and 2', async () => {
      const result = await run(undefined, { email: 'root' });
      expect(result.rc).to.equal(OcfExit.ERR_ARGS);
      expect(result.stderr).to.match(/^usage: MailTo \{start\|stop\|monitor/);
    });
    it('unknown action: 3 with a reason', async () => {
      const result = await run('frobnicate', { email: 'root' });
      expect(result.rc).to.equal(OcfExit.ERR_UNIMPLEMENTED);
      expect(result.reason).to.match(/frobnicate/);
    });
    for (const action of ['start', 'validate-all']) {
      it(`missing email on ${action}: 6, one exit reason, no stack trace`, async () => {
        const result = await run(action, {});
        expect(result.rc).to.equal(OcfExit.ERR_CONFIGURED);
        expect(result.reasonLines).to.equal(1);
        expect(result.reason).to.equal('required parameter `email` is not set');
        expect(result.stderr).to.not.match(/\bat .*\.js:\d+/);
      });
      it(`malformed email on ${action}: 6 naming the parameter`, async () => {
        const result = await run(action, { email: 'not an<address>' });
        expect(result.rc).to.equal(OcfExit.ERR_CONFIGURED);
        expect(result.reasonLines).to.equal(1);
        expect(result.reason).to.match(/^parameter `email`: `an<address>` is not a mail address$/);
      });
    }
    it('stop of a never-started instance: 0, no mail; monitor of it: 7', async () => {
      expect((await run('stop', { email: 'root' })).rc).to.equal(OcfExit.SUCCESS);
      expect((await run('monitor', { email: 'root' })).rc).to.equal(OcfExit.NOT_RUNNING);
    });
    it('a probe without email says not running (7), a stop without email succeeds (0)', async () => {
      expect((await run('monitor', {}, { meta: { interval: '0' } })).rc).to.equal(OcfExit.NOT_RUNNING);
      expect((await run('stop', {})).rc).to.equal(OcfExit.SUCCESS);
    });
    it('validate-all at level 0 succeeds silently with no PATH at all (as pcs runs it)', async () => {
      const result = await execa(AGENT, ['validate-all'], {
        extendEnv: false,
        env: { OCF_ROOT: '/usr/lib/ocf', OCF_RESOURCE_INSTANCE: 'test', OCF_RESKEY_email: 'root', OCF_RESKEY_CRM_meta_timeout: '20000' },
        reject: false,
      });
      expect(result.exitCode).to.equal(0);
      expect(result.stderr).to.equal('');
    });
  });

  it('passes ocf-tester (resource-agents, unmodified)', async () => {
    const result = await execa('ocf-tester', ['-n', 'mail1', '-o', 'email=root', AGENT], { reject: false, env: { HA_RSCTMP: rsctmp } });
    expect(result.exitCode, result.stdout + result.stderr).to.equal(0);
    expect(result.stdout).to.include('passed all tests');
  });

  it('meta-data through crm_resource is valid against ra-api-1.dtd', async () => {
    const meta = await execa('crm_resource', ['--show-metadata', 'ocf:tsha:MailTo'], { env: { PATH: '/usr/sbin:/bin:/usr/bin' }, extendEnv: false });
    const lint = await execa('xmllint', ['--noout', '--dtdvalid', '/usr/share/resource-agents/ra-api-1.dtd', '-'], { input: meta.stdout, reject: false });
    expect(lint.exitCode, lint.stderr).to.equal(0);
  });

  describe('pcs agent validation', () => {
    let cib: string;
    before(async () => {
      const dir = await mkdtemp(path.join(os.tmpdir(), 'tsha-cib-'));
      cib = path.join(dir, 'cib.xml');
      await mkdir(dir, { recursive: true });
      const empty = await execa('cibadmin', ['--empty']);
      await writeFile(cib, empty.stdout);
    });
    after(async () => {
      await rm(path.dirname(cib), { recursive: true, force: true });
    });
    it('pcs -f CIB resource create --agent-validation with email and subject exits 0', async () => {
      const result = await execa('pcs', ['-f', cib, 'resource', 'create', '--agent-validation', 'Mail', 'ocf:tsha:MailTo', 'email=root', 'subject=FailOver_Home'], { reject: false });
      expect(result.exitCode, result.stderr).to.equal(0);
      const config = await execa('cibadmin', ['--query', '--xpath', "//primitive[@id='Mail']"], { env: { CIB_file: cib } });
      expect(config.stdout).to.include('type="MailTo"').and.include('provider="tsha"').and.include('value="FailOver_Home"');
    });
    it('without email it is refused with a clear message', async () => {
      const result = await execa('pcs', ['-f', cib, 'resource', 'create', '--agent-validation', 'Mail2', 'ocf:tsha:MailTo', 'subject=x'], { reject: false });
      expect(result.exitCode).to.not.equal(0);
      expect(result.stderr).to.match(/required resource option 'email' is missing/);
    });
  });
});
