// SPDX-License-Identifier: GPL-2.0-or-later
// The simulator's shortcuts answer exactly what the long way answers: drbdadm's configuration questions from the
// cache (config.ts) while the configuration is unchanged and afresh once it changes, and `--version` from the
// wrapper itself (setup.ts) as the simulator's node entry points print it. Uses drbd-utils' real drbdadm.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { DEFAULT_REAL_DRBDADM, runReal, runRealCached, simEnv, type SimEnv } from '../../../scripts/drbdsim/config.js';
import { installWrappers, writeDrbdConf } from '../../../scripts/drbdsim/setup.js';

describe('drbdsim fast paths', () => {
  let dir: string;
  let sim: SimEnv;
  let conf: string;
  const write = (device: string, resource = 'fast0'): void => {
    conf = writeDrbdConf(path.join(dir, 'etc'), {
      resource,
      device,
      nodes: [
        { name: os.hostname(), address: '192.168.77.1', disk: '/dev/loop7' },
        { name: 'fast-peer', address: '192.168.77.2', disk: '/dev/loop7' },
      ],
    }).confFile;
  };
  const cacheFiles = (): string[] => readdirSync(path.join(sim.stateDir, 'config-cache')).filter((f) => f.endsWith('.json'));

  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'tsha-drbdsim-fast-'));
    sim = simEnv({ TSHA_DRBDSIM_STATE: path.join(dir, 'state') });
    write('/dev/drbd5');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('answers the configuration questions as drbdadm does, then from the cache', () => {
    for (const args of [['-c', conf, '-d', 'up', 'fast0'], ['-c', conf, 'sh-dev', 'fast0'], ['-c', conf, 'sh-resources'], ['-c', conf, 'sh-dev', 'nosuch']]) {
      const real = runReal(sim, args);
      expect(runRealCached(sim, args), args.join(' ')).to.deep.equal(real);
      expect(runRealCached(sim, args), `${args.join(' ')} again`).to.deep.equal(real);
    }
    expect(runReal(sim, ['-c', conf, 'sh-dev', 'nosuch']).status).to.equal(1);
    expect(cacheFiles()).to.have.length(4);
    // the second answer came from the entry: one made up there is what is answered
    const file = path.join(sim.stateDir, 'config-cache', cacheFiles()[0] as string);
    const entry = JSON.parse(readFileSync(file, 'utf8')) as { fingerprint: string; result: { stdout: string } };
    const args = (JSON.parse(entry.fingerprint.split('\0')[0] as string) as unknown[])[4] as string[];
    writeFileSync(file, JSON.stringify({ ...entry, result: { ...entry.result, stdout: 'from the cache\n' } }));
    expect(runRealCached(sim, args).stdout).to.equal('from the cache\n');
  });

  it('asks drbdadm again when an included file changes or a file is added', () => {
    const dev = ['-c', conf, 'sh-dev', 'fast0'];
    expect(runRealCached(sim, dev).stdout).to.equal('/dev/drbd5\n');
    // the same length, so that only the content tells
    write('/dev/drbd6');
    expect(runRealCached(sim, dev).stdout).to.equal('/dev/drbd6\n');
    expect(runRealCached(sim, ['-c', conf, 'sh-resources']).stdout).to.equal('fast0\n');
    write('/dev/drbd7', 'fast1');
    expect(runRealCached(sim, ['-c', conf, 'sh-resources'])).to.deep.equal(runReal(sim, ['-c', conf, 'sh-resources']));
    expect(runRealCached(sim, ['-c', conf, 'sh-resources']).stdout).to.match(/fast0\s+fast1|fast1\s+fast0/);
  });

  it('keeps no answer to other questions', () => {
    runRealCached(sim, ['-c', conf, 'dump', 'fast0']);
    runRealCached(sim, ['-c', conf, '-d', 'down', 'fast0']);
    expect(() => cacheFiles()).to.throw(/ENOENT/);
  });

  it('prints --version from the wrapper as the node entry points print it', () => {
    const bin = path.join(dir, 'bin');
    installWrappers(bin, { stateDir: sim.stateDir, realDrbdadm: DEFAULT_REAL_DRBDADM });
    const wrapper = readFileSync(path.join(bin, 'drbdadm'), 'utf8');
    expect(wrapper).to.match(/--version\|-V\) printf/);
    for (const tool of ['drbdadm', 'drbdsetup']) {
      for (const flag of ['--version', '-V']) {
        const run = (env: Record<string, string>) =>
          spawnSync(path.join(bin, tool), [flag], { encoding: 'utf8', env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', ...env } });
        const fast = run({});
        // a module version given: the wrapper hands over to node, which prints the same for the default one
        const slow = run({ TSHA_DRBDSIM_KERNEL_VERSION: '9.2.5' });
        expect(fast.stdout, `${tool} ${flag}`).to.include(`DRBD_KERNEL_VERSION=9.2.5\n`);
        expect([fast.status, fast.stdout, fast.stderr], `${tool} ${flag}`).to.deep.equal([slow.status, slow.stdout, slow.stderr]);
      }
    }
    // the node path really ran: another module version shows
    expect(execFileSync(path.join(bin, 'drbdadm'), ['--version'], { encoding: 'utf8', env: { PATH: '/usr/bin:/bin', TSHA_DRBDSIM_KERNEL_VERSION: '9.2.8' } })).to.include('DRBD_KERNEL_VERSION=9.2.8\n');
  });
});
