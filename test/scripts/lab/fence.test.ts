// SPDX-License-Identifier: GPL-2.0-or-later
// The installed fence agent, called as Pacemaker's fencer calls it (options on stdin), against a lab folder whose
// "node" is a real process holding the node's alive lock.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { execa } from 'execa';
import { isLocked, waitFor } from '../../../scripts/lab/sys.js';
import { isAlive } from '../../../scripts/lab/sys.js';

const AGENT = '/usr/sbin/fence_tsha_lab';

describe('fence_tsha_lab (installed)', function () {
  this.timeout(30_000);
  let labDir: string;
  const holders: ChildProcess[] = [];

  const fence = (options: Record<string, string>) =>
    execa(AGENT, [], { input: Object.entries(options).map(([k, v]) => `${k}=${v}\n`).join(''), reject: false, timeout: 20_000 });

  /** A stand-in for a node's init: holds the alive lock; with `obey`, it exits when asked to power off. */
  async function startNode(node: string, obey: boolean): Promise<ChildProcess> {
    const dir = path.join(labDir, 'nodes', node);
    const loop = obey ? 'while [ ! -e power-off ]; do sleep 0.05; done' : 'sleep 60';
    const child = spawn('flock', [path.join(dir, 'alive'), 'sh', '-c', loop], { cwd: dir, stdio: 'ignore' });
    holders.push(child);
    await waitFor(`${node} holding its lock`, 5_000, async () => ((await isLocked(path.join(dir, 'alive'))) ? true : undefined), 50);
    return child;
  }

  beforeEach(async () => {
    labDir = await mkdtemp(path.join(os.tmpdir(), 'tsha-fence-'));
    for (const node of ['fo1', 'fo2']) await mkdir(path.join(labDir, 'nodes', node), { recursive: true });
  });

  afterEach(async () => {
    for (const child of holders.splice(0)) child.kill('SIGKILL');
    await rm(labDir, { recursive: true, force: true });
  });

  it('prints fence-agents meta-data that stonith_admin reads', async () => {
    const result = await execa(AGENT, ['-o', 'metadata'], { timeout: 10_000 });
    await execa('xmllint', ['--noout', '-'], { input: result.stdout });
    const viaPacemaker = await execa('stonith_admin', ['--metadata', '--agent', 'fence_tsha_lab'], { stdin: 'ignore', timeout: 10_000 });
    for (const action of ['off', 'reboot', 'status', 'list', 'monitor']) expect(viaPacemaker.stdout).to.include(`<action name="${action}"`);
    expect(viaPacemaker.stdout).to.include('<parameter name="lab_dir"');
  });

  it('lists the lab nodes and answers monitor', async () => {
    const list = await fence({ action: 'list', lab_dir: labDir });
    expect(list.exitCode).to.equal(0);
    expect(list.stdout.split('\n')).to.deep.equal(['fo1', 'fo2']);
    expect((await fence({ action: 'monitor', lab_dir: labDir })).exitCode).to.equal(0);
    expect((await fence({ action: 'monitor', lab_dir: path.join(labDir, 'none') })).exitCode).to.equal(1);
  });

  it('reports status on (0) while the node holds its lock and off (2) when nothing does', async () => {
    const off = await fence({ action: 'status', port: 'fo1', lab_dir: labDir });
    expect([off.exitCode, off.stdout.trim()]).to.deep.equal([2, 'Status: OFF']);
    await startNode('fo1', false);
    const on = await fence({ action: 'status', port: 'fo1', lab_dir: labDir });
    expect([on.exitCode, on.stdout.trim()]).to.deep.equal([0, 'Status: ON']);
  });

  it('powers a node off: the node is gone when off returns 0', async () => {
    const node = await startNode('fo2', true);
    const result = await fence({ action: 'off', port: 'fo2', nodename: 'fo2', lab_dir: labDir });
    expect(result.exitCode, result.stderr).to.equal(0);
    await waitFor('the node process to be reaped', 2_000, async () => (isAlive(node.pid!) ? undefined : true), 20);
    expect(await isLocked(path.join(labDir, 'nodes', 'fo2', 'alive'))).to.equal(false);
  });

  it('fails when the node does not go off within power_timeout', async () => {
    await startNode('fo1', false);
    const result = await fence({ action: 'reboot', plug: 'fo1', lab_dir: labDir, power_timeout: '1' });
    expect(result.exitCode).to.equal(1);
    expect(result.stderr).to.include('fo1 still on after 1 s');
  });

  it('succeeds at once on a node that is already off, refuses on and unknown nodes', async () => {
    expect((await fence({ action: 'off', port: 'fo1', lab_dir: labDir })).exitCode).to.equal(0);
    const on = await fence({ action: 'on', port: 'fo1', lab_dir: labDir });
    expect(on.exitCode).to.equal(1);
    expect(on.stderr).to.include('tsha lab boot fo1');
    const unknown = await fence({ action: 'off', port: 'fo9', lab_dir: labDir });
    expect(unknown.exitCode).to.equal(1);
    expect(unknown.stderr).to.include('no node `fo9`');
  });
});
