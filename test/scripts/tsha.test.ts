// SPDX-License-Identifier: GPL-2.0-or-later
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { execa } from 'execa';
import { agentNames } from '../../agents/index.js';
import { pacemakerEnv, parsePairs } from '../../scripts/tsha.js';

const tsha = (args: string[], env: Record<string, string> = {}) => execa('/usr/bin/tsha', args, { reject: false, env });

describe('the tsha command (installed)', function () {
  this.timeout(30_000);

  it('lists the agents', async () => {
    const result = await tsha(['list']);
    expect(result.stdout.split('\n')).to.deep.equal(agentNames.map((n) => `ocf:tsha:${n}`));
  });

  it('prints meta-data identical to the agent\'s own', async () => {
    const fromTsha = await tsha(['meta-data', 'MailTo']);
    const fromAgent = await execa('/usr/lib/ocf/resource.d/tsha/MailTo', ['meta-data']);
    expect(fromTsha.stdout).to.equal(fromAgent.stdout);
  });

  it('renders a man page that documents every parameter', async () => {
    const result = await tsha(['man', 'MailTo']);
    expect(result.stdout).to.match(/^\.TH OCF_TSHA_MAILTO 7/);
    expect(result.stdout).to.include('\\fBemail\\fR (string, required)');
    expect(result.stdout).to.include('\\fBsubject\\fR (string, optional, default "Resource Group")');
  });

  it('runs an action as Pacemaker would and prints the code with its name and the reason', async () => {
    const rsctmp = await mkdtemp(path.join(os.tmpdir(), 'tsha-run-'));
    try {
      const env = { HA_RSCTMP: rsctmp };
      const monitor = await tsha(['run', 'MailTo', 'monitor', '-p', 'email=root'], env);
      expect(monitor.exitCode).to.equal(7);
      expect(monitor.stdout.trim()).to.equal('rc=7 OCF_NOT_RUNNING');
      const bad = await tsha(['run', 'MailTo', 'validate-all'], env);
      expect(bad.exitCode).to.equal(6);
      expect(bad.stdout.trim()).to.equal('rc=6 OCF_ERR_CONFIGURED: required parameter `email` is not set');
    } finally {
      await rm(rsctmp, { recursive: true, force: true });
    }
  });

  it('refuses an unknown agent and a malformed -p', async () => {
    expect((await tsha(['meta-data', 'Nope'])).stderr).to.match(/unknown agent `Nope`/);
    expect((await tsha(['run', 'MailTo', 'start', '-p', 'novalue'])).stderr).to.match(/`novalue` is not name=value/);
  });

  it('builds the environment Pacemaker gives an agent', () => {
    const env = pacemakerEnv({ agent: 'MailTo', instance: 'm', params: { email: 'root' }, meta: { 'clone-max': '2' }, inherit: { PATH: '/bin', SECRET: 'x' } });
    expect(env).to.include({ OCF_RESOURCE_INSTANCE: 'm', OCF_RESOURCE_TYPE: 'MailTo', OCF_RESKEY_email: 'root', OCF_RESKEY_CRM_meta_clone_max: '2', PATH: '/bin' });
    expect(env).to.not.have.property('SECRET');
    expect(parsePairs(['a=b=c'], 'x')).to.deep.equal({ a: 'b=c' });
  });
});
