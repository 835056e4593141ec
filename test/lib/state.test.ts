// SPDX-License-Identifier: GPL-2.0-or-later
import { mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { readState, removeState, stateDir, stateFileName, writeState } from '../../lib/state.js';

describe('lib/state (state files)', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'tsha-state-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('lives in HA_RSCTMP, else /run/resource-agents', () => {
    expect(stateDir({ HA_RSCTMP: '/x' })).to.equal('/x');
    expect(stateDir({})).to.equal('/run/resource-agents');
  });

  it('names files safely from agent and instance', () => {
    expect(stateFileName('MailTo', 'mail1')).to.equal('MailTo_mail1');
    expect(stateFileName('MailTo', '../../etc/passwd')).to.equal('MailTo_.._.._etc_passwd');
  });

  it('writes atomically with mode 0600, creating the folder, and reads back', async () => {
    const sub = path.join(dir, 'rsc');
    await writeState(sub, 'a', 'one');
    await writeState(sub, 'a', 'two');
    expect(await readState(sub, 'a')).to.equal('two');
    expect((await stat(path.join(sub, 'a'))).mode & 0o777).to.equal(0o600);
    expect(await readdir(sub)).to.deep.equal(['a']); // no temporary file left
    await removeState(sub, 'a');
    expect(await readState(sub, 'a')).to.equal(undefined);
  });

  it('never follows a symlink, neither reading nor writing', async () => {
    const victim = path.join(dir, 'victim');
    await writeFile(victim, 'precious');
    await symlink(victim, path.join(dir, 'evil'));
    expect(await readState(dir, 'evil')).to.equal(undefined);
    await writeState(dir, 'evil', 'overwritten?');
    expect(await readFile(victim, 'utf8')).to.equal('precious');
    expect(await readState(dir, 'evil')).to.equal('overwritten?');
  });
});
