// SPDX-License-Identifier: GPL-2.0-or-later
// One version, package.json's: lib/version.ts gives it to the compiled modules (reading package.json) and to the
// bundles the agents run (a constant esbuild puts in, so an agent reads no file for it); tsha --version says it.
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { execa } from 'execa';
import { agentNames } from '../../agents/index.js';
import { VERSION } from '../../lib/version.js';
import { pkg, repo } from './packages.js';

describe("the version (package.json's, everywhere)", () => {
  it('is what lib/version.ts exports and what tsha --version prints', async () => {
    expect(VERSION).to.equal(pkg.version);
    const tsha = await execa(process.execPath, [path.join(repo, 'dist/scripts/tsha.js'), '--version']);
    expect(tsha.stdout.trim()).to.equal(pkg.version);
  });

  it('is a constant in the bundles: none of them mentions the define left unreplaced', async () => {
    const dir = path.join(repo, 'dist/bundle');
    const files = (await readdir(dir, { recursive: true })).filter((f) => f.endsWith('.js'));
    expect(files.length).to.be.greaterThan(agentNames.length);
    for (const file of files) expect(await readFile(path.join(dir, file), 'utf8'), file).to.not.include('TSHA_BUNDLED_VERSION');
  });

  it("is in every agent's meta-data, read from a bundle with no package.json version to read", async () => {
    const tmp = await mkdtemp(path.join(os.tmpdir(), 'tsha-version-'));
    try {
      await cp(path.join(repo, 'dist/bundle'), path.join(tmp, 'dist/bundle'), { recursive: true });
      // ES modules need the "type"; the version is left out, so reading it would fail
      await writeFile(path.join(tmp, 'package.json'), '{ "type": "module" }\n');
      for (const agent of agentNames) {
        const meta = await execa(process.execPath, [path.join(tmp, 'dist/bundle/agents', agent, 'main.js'), 'meta-data'], { extendEnv: false, env: {} });
        expect(meta.stdout).to.include(`<resource-agent name="${agent}" version="${pkg.version}">`);
      }
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  });
});
