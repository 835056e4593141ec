// SPDX-License-Identifier: GPL-2.0-or-later
// The agents' bundles (scripts/bundle.mjs, built by `make build`) load only what an action uses: meta-data and a
// monitor that runs no command load none of Node's ES module loader, streams, child_process, fs/promises or
// perf_hooks, and no package (pino). What Node itself loads for an empty script is left out of the comparison,
// so the check holds on every Node.js line.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { execa } from 'execa';

const BUNDLE = fileURLToPath(new URL('../../bundle/agents/', import.meta.url));
const HEAVY = [/^NativeModule (stream|child_process|perf_hooks|net|fs\/promises|internal\/fs\/promises|internal\/modules\/esm\/loader)$/];

describe('scripts/bundle.mjs: what an agent action loads', function () {
  this.timeout(30_000);
  let dir: string;
  let preload: string;
  before(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'tsha-bundle-'));
    preload = path.join(dir, 'loaded.cjs');
    // Node's own modules (moduleLoadList) and the files required (require.cache), written at exit
    writeFileSync(
      preload,
      "process.on('exit', () => require('fs').writeFileSync(process.env.TSHA_LOADED_FILE, JSON.stringify({ builtins: process.moduleLoadList, files: Object.keys(require.cache) })));\n",
    );
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  type Loaded = { builtins: string[]; files: string[] };
  async function loaded(file: string, args: string[], env: Record<string, string>): Promise<Loaded & { exitCode: number | undefined }> {
    const out = path.join(dir, 'loaded.json');
    const result = await execa(process.execPath, ['-r', preload, file, ...args], { reject: false, extendEnv: false, env: { ...env, TSHA_LOADED_FILE: out } });
    return { ...(JSON.parse(readFileSync(out, 'utf8')) as Loaded), exitCode: result.exitCode };
  }

  async function extraBuiltins(file: string, args: string[], env: Record<string, string>): Promise<{ extra: string[]; files: string[]; exitCode: number | undefined }> {
    const empty = path.join(dir, 'empty.cjs');
    writeFileSync(empty, '');
    const floor = new Set((await loaded(empty, [], {})).builtins);
    const run = await loaded(file, args, env);
    return { extra: run.builtins.filter((m) => !floor.has(m)), files: run.files, exitCode: run.exitCode };
  }

  const agents = readdirSync(BUNDLE);
  it('bundles every agent', () => {
    expect(agents).to.include.members(['IPaddr2', 'Filesystem', 'MailTo', 'drbd']);
  });

  for (const agent of ['IPaddr2', 'Filesystem', 'MailTo', 'drbd']) {
    it(`${agent} meta-data loads nothing heavy and no package`, async () => {
      const run = await extraBuiltins(path.join(BUNDLE, agent, 'main.js'), ['meta-data'], {});
      expect(run.exitCode).to.equal(0);
      expect(run.extra.filter((m) => HEAVY.some((re) => re.test(m)))).to.deep.equal([]);
      expect(run.files.filter((f) => f.includes('node_modules'))).to.deep.equal([]);
    });
  }

  it('a MailTo monitor and probe load nothing heavy and no package', async () => {
    const rsctmp = path.join(dir, 'rsctmp');
    for (const [instance, interval, rc] of [['running', '10000', 0], ['stopped', '0', 7]] as const) {
      if (instance === 'running') {
        mkdirSync(rsctmp, { recursive: true });
        writeFileSync(path.join(rsctmp, 'MailTo_running'), '{}\n', { mode: 0o600 });
      }
      const env = { OCF_RESKEY_email: 'root', OCF_RESOURCE_INSTANCE: instance, OCF_RESKEY_CRM_meta_interval: interval, HA_RSCTMP: rsctmp };
      const run = await extraBuiltins(path.join(BUNDLE, 'MailTo', 'main.js'), ['monitor'], env);
      expect(run.exitCode, instance).to.equal(rc);
      expect(run.extra.filter((m) => HEAVY.some((re) => re.test(m))), instance).to.deep.equal([]);
      expect(run.files.filter((f) => f.includes('node_modules')), instance).to.deep.equal([]);
    }
  });

  it('an action that runs a command loads child_process, and pino when it logs (the check itself)', async () => {
    // an IPaddr2 monitor reads the addresses with `ip -j addr show`; HA_debug logs the command
    const env = { OCF_RESKEY_ip: '127.0.0.254', OCF_RESKEY_nic: 'lo', OCF_RESKEY_cidr_netmask: '32', OCF_RESKEY_CRM_meta_interval: '10000', HA_RSCTMP: path.join(dir, 'rsctmp2'), HA_debug: '1' };
    const run = await extraBuiltins(path.join(BUNDLE, 'IPaddr2', 'main.js'), ['monitor'], env);
    expect(run.exitCode).to.equal(7);
    expect(run.extra).to.include('NativeModule child_process');
    // pino's bundle (scripts/bundle.mjs), one file, not the twenty modules of the package
    expect(run.files.filter((f) => f.includes(`${path.sep}node_modules${path.sep}`)), 'pino logged the command').to.deep.equal([
      path.join(BUNDLE, '..', 'node_modules', 'pino', 'index.js'),
    ]);
  });
});
