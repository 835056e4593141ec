// SPDX-License-Identifier: GPL-2.0-or-later
// Two simulated DRBD nodes, each in its own network and UTS namespace, joined by a veth pair as their eth2
// (192.168.2.0/24 exists only inside those namespaces); one loop device backs /dev/drbdN on both.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { execa, type ResultPromise } from 'execa';
import { initMetadata, installWrappers, writeDrbdConf } from '../../../scripts/drbdsim/setup.js';
import { linkPair } from '../../../scripts/drbdsim/netns-pair.js';

const RES = 'drbddata';
// a minor no other test uses: /dev is shared with the rest of the machine
const MINOR = 42;
const DEVICE = `/dev/drbd${MINOR}`;
const tag = `ds${process.pid % 100000}`;
const NODES = [
  { host: 'tsha-dsim-a', ns: `${tag}a`, address: '192.168.2.1' },
  { host: 'tsha-dsim-b', ns: `${tag}b`, address: '192.168.2.2' },
] as const;
type Node = (typeof NODES)[number];
const [A, B] = NODES;

type Run = { rc: number; stdout: string; stderr: string };

let dir = '';
let loop = '';
let conf = '';
let bin = '';
let stateDir = '';
const streams: ResultPromise[] = [];

const env = (): Record<string, string> => ({ TSHA_DRBDSIM_STATE: stateDir, TSHA_DRBDSIM_SYNC_MS: '800' });

/** A command on a node: in its network namespace, with its own hostname. */
function onNodeArgs(node: Node, argv: string[]): string[] {
  return ['netns', 'exec', node.ns, 'unshare', '--uts', 'sh', '-c', 'hostname "$0" && exec "$@"', node.host, ...argv];
}

async function on(node: Node, tool: 'drbdadm' | 'drbdsetup', ...args: string[]): Promise<Run> {
  const argv = tool === 'drbdadm' ? [path.join(bin, 'drbdadm'), '-c', conf, ...args] : [path.join(bin, 'drbdsetup'), ...args];
  const r = await execa('ip', onNodeArgs(node, argv), { reject: false, env: env(), timeout: 60_000, stripFinalNewline: false });
  return { rc: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
}

async function events(node: Node): Promise<string> {
  return (await on(node, 'drbdsetup', 'events2', '--now', RES)).stdout;
}

/** Polls until `check` holds (no timed assertion: the deadline only bounds a hang); returns the elapsed ms. */
async function until(what: string, check: () => Promise<boolean>, limitMs = 20_000): Promise<number> {
  const start = Date.now();
  while (Date.now() - start < limitMs) {
    if (await check()) return Date.now() - start;
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
  throw new Error(`never happened: ${what}\nA:\n${await events(A)}\nB:\n${await events(B)}`);
}

const has = (text: string, re: RegExp): boolean => re.test(text);
const connState = async (node: Node): Promise<string> => /exists connection .* connection:(\S+)/.exec(await events(node))?.[1] ?? 'none';
const diskState = async (node: Node): Promise<string> => /exists device .* disk:(\S+)/.exec(await events(node))?.[1] ?? 'none';

async function link(up: boolean): Promise<void> {
  await execa('ip', ['-n', A.ns, 'link', 'set', 'eth2', up ? 'up' : 'down']);
}

/** Follows `drbdsetup events2 RES` on a node; the collected output grows while the stream runs. */
function follow(node: Node): { text: () => string; stop: () => void } {
  const proc = execa('ip', onNodeArgs(node, [path.join(bin, 'drbdsetup'), 'events2', RES]), { reject: false, env: env(), buffer: false });
  streams.push(proc);
  let text = '';
  proc.stdout?.on('data', (chunk: Buffer) => {
    text += chunk.toString();
  });
  return { text: () => text, stop: () => void proc.kill() };
}

/** Our daemons: their command line carries our unique state folder. */
function ourDaemons(): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (cmdline.includes('daemon-main.js') && cmdline.includes(stateDir)) pids.push(Number(entry));
    } catch {
      // gone
    }
  }
  return pids;
}

describe('drbdsim: two nodes in namespaces', function () {
  this.timeout(90_000);

  before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'tsha-drbdsim-'));
    stateDir = path.join(dir, 'state');
    bin = path.join(dir, 'bin');
    await execa('truncate', ['-s', '64M', path.join(dir, 'disk.img')]);
    loop = (await execa('losetup', ['-f', '--show', path.join(dir, 'disk.img')])).stdout.trim();
    await linkPair(tag, [A, B]);
    conf = writeDrbdConf(path.join(dir, 'etc'), {
      device: DEVICE,
      nodes: NODES.map((n) => ({ name: n.host, address: n.address, disk: loop })),
    }).confFile;
    installWrappers(bin, { stateDir });
    initMetadata(stateDir, RES, NODES.map((n) => n.host));
  });

  after(async () => {
    for (const s of streams) s.kill('SIGKILL');
    for (const node of NODES) await on(node, 'drbdadm', 'down', RES).catch(() => undefined);
    for (const pid of ourDaemons()) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
    for (const node of NODES) await execa('ip', ['netns', 'del', node.ns], { reject: false });
    // a veth pair not yet moved into the namespaces (setup failed half-way)
    await execa('ip', ['link', 'del', `${tag}va`], { reject: false });
    if (loop) {
      try {
        const st = statSync(DEVICE);
        if (st.isBlockDevice() && st.rdev === statSync(loop).rdev) rmSync(DEVICE, { force: true });
      } catch {
        // no device node
      }
      await execa('losetup', ['-d', loop], { reject: false });
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('refuses to come up where the replication address does not exist (rc 10)', async () => {
    // the host's own network namespace has no 192.168.2.0/24 address
    const r = await execa('unshare', ['--uts', 'sh', '-c', 'hostname "$0" && exec "$@"', A.host, path.join(bin, 'drbdadm'), '-c', conf, 'up', RES], {
      reject: false,
      env: env(),
    });
    expect(r.exitCode).to.equal(10);
    expect(r.stderr).to.include(`IP ${A.address} not found on this host.`);
    expect(ourDaemons()).to.deep.equal([]);
  });

  it('starts both nodes, which connect over eth2, with /dev/drbdN backed by the loop device', async () => {
    expect(await on(A, 'drbdadm', 'up', RES)).to.include({ rc: 0 });
    // alone, the wait for the peer times out (rc 5)
    expect(await on(A, 'drbdsetup', 'wait-connect-resource', RES, '--wfc-timeout=1')).to.include({ rc: 5 });
    // B the way the linbit agent starts a resource (drbd.md §6): step by step
    expect(await on(B, 'drbdadm', 'new-resource', RES)).to.include({ rc: 0 });
    expect(await events(B)).to.equal(`exists resource name:${RES} role:Secondary suspended:no force-io-failures:no may_promote:no promotion_score:0\nexists -\n`);
    expect(await on(B, 'drbdadm', 'new-minor', RES)).to.include({ rc: 0 });
    expect(await events(B)).to.include(`exists device name:${RES} volume:0 minor:${MINOR} backing_dev:none disk:Diskless client:no quorum:yes\n`);
    expect(await on(B, 'drbdadm', 'adjust', '--skip-net', RES)).to.include({ rc: 0 });
    const attached = await events(B);
    expect(attached).to.include(`exists device name:${RES} volume:0 minor:${MINOR} backing_dev:${loop} disk:UpToDate client:no quorum:yes\n`);
    expect(attached).not.to.include('exists connection');
    expect(await on(B, 'drbdadm', 'adjust', RES)).to.include({ rc: 0 });
    expect(await on(B, 'drbdsetup', 'wait-connect-resource', RES, '--wfc-timeout=20')).to.include({ rc: 0 });
    const ms = await until('both Connected', async () => (await connState(A)) === 'Connected' && (await connState(B)) === 'Connected');
    console.log(`      connected after ${ms} ms`);
    const ev = await events(A);
    expect(ev).to.match(/^exists resource name:drbddata role:Secondary .* may_promote:yes promotion_score:10102$/m);
    expect(ev).to.include(`exists path name:drbddata peer-node-id:1 conn-name:${B.host} local:ipv4:192.168.2.1:7789 peer:ipv4:192.168.2.2:7789 established:yes`);
    expect(statSync(DEVICE).isBlockDevice()).to.equal(true);
    expect(statSync(DEVICE).rdev).to.equal(statSync(loop).rdev);
    // configuration questions go to drbd-utils' own drbdadm
    const shDev = await on(A, 'drbdadm', 'sh-dev', RES);
    expect(shDev.stdout, JSON.stringify(shDev)).to.equal(`${DEVICE}\n`);
    expect((await on(B, 'drbdadm', '-d', 'connect', `${RES}:${A.host}`)).stdout).to.equal(`drbdsetup connect ${RES} 0\n`);
    expect((await on(A, 'drbdadm', '--version')).stdout).to.include('DRBD_KERNEL_VERSION_CODE=0x090205\n');
    // the replication port is really listened on, inside the node's namespace only
    const ss = await execa('ip', ['netns', 'exec', A.ns, 'ss', '-Htln', 'sport = :7789']);
    expect(ss.stdout).to.include('192.168.2.1:7789');
  });

  it('promotes one node', async () => {
    expect(await on(A, 'drbdadm', 'primary', RES)).to.include({ rc: 0 });
    expect((await on(A, 'drbdadm', 'role', RES)).stdout).to.equal('Primary\n');
    await until('B sees A Primary', async () => has(await events(B), /exists connection .* connection:Connected role:Primary/));
    const sim = await execa(path.join(bin, 'drbdsim'), ['--json'], { env: env() });
    const states = JSON.parse(sim.stdout) as { node: string; up: boolean; snapshot?: { role: string } }[];
    expect(states.map((st) => [st.node, st.up, st.snapshot?.role])).to.deep.equal([
      [A.host, true, 'Primary'],
      [B.host, true, 'Secondary'],
    ]);
    expect((await execa(path.join(bin, 'drbdsim'), [], { env: env() })).stdout).to.include(`${RES}@${A.host}: node-id:0 role:Primary`);
    expect((await on(B, 'drbdadm', 'status', RES)).stdout).to.equal(`${RES} role:Secondary\n  volume:0 disk:UpToDate\n  ${A.host} role:Primary\n    volume:0 peer-disk:UpToDate\n\n`.replace(/volume:0 /g, ''));
  });

  it('refuses to promote the other node while connected (rc 11)', async () => {
    const r = await on(B, 'drbdadm', 'primary', RES);
    expect(r.rc).to.equal(11);
    expect(r.stderr).to.equal(
      `${RES}: State change failed: (-1) Multiple primaries not allowed by config\nCommand 'drbdsetup primary ${RES}' terminated with exit code 11\n`,
    );
    expect((await on(B, 'drbdsetup', 'role', RES)).stdout).to.equal('Secondary\n');
  });

  it('promotes the other node once the first is demoted', async () => {
    expect(await on(A, 'drbdadm', 'secondary', RES)).to.include({ rc: 0 });
    await until('B sees A Secondary', async () => has(await events(B), /exists connection .* role:Secondary/));
    expect(await on(B, 'drbdadm', 'primary', RES)).to.include({ rc: 0 });
    expect((await on(A, 'drbdadm', 'dstate', RES)).stdout).to.equal('UpToDate/UpToDate\n');
  });

  it('cut the link and promote: the disconnected side comes back Outdated and resyncs', async () => {
    expect(await on(B, 'drbdadm', 'secondary', RES)).to.include({ rc: 0 });
    const stream = follow(A);
    await until('A streams its state', async () => stream.text().includes('exists -\n'));
    await link(false);
    const lost = await until('both lose the connection', async () => (await connState(A)) === 'Connecting' && (await connState(B)) === 'Connecting');
    console.log(`      link cut: connection lost after ${lost} ms`);
    expect((await on(A, 'drbdadm', 'cstate', RES)).stdout).to.equal('Connecting\n');
    expect(await on(B, 'drbdadm', 'primary', RES)).to.include({ rc: 0 });
    await link(true);
    const back = await until('A resynced', async () => (await connState(A)) === 'Connected' && (await diskState(A)) === 'UpToDate' && !/SyncTarget/.test(await events(A)));
    console.log(`      link restored: A back UpToDate after ${back} ms`);
    stream.stop();
    const changes = stream.text().split('exists -\n')[1] ?? '';
    const outdated = changes.indexOf(`change device name:${RES} volume:0 minor:${MINOR} disk:Outdated`);
    const syncing = changes.search(/change peer-device .* replication:SyncTarget/);
    const upToDate = changes.lastIndexOf(`change device name:${RES} volume:0 minor:${MINOR} disk:UpToDate`);
    expect(outdated, changes).to.be.greaterThan(-1);
    expect(syncing, changes).to.be.greaterThan(outdated);
    expect(upToDate, changes).to.be.greaterThan(syncing);
    expect(changes).to.match(/change connection name:drbddata peer-node-id:1 conn-name:\S+ connection:Timeout role:Unknown/);
    expect((await on(A, 'drbdadm', 'dstate', RES)).stdout).to.equal('UpToDate/UpToDate\n');
    expect((await on(B, 'drbdadm', 'role', RES)).stdout).to.equal('Primary\n');
  });

  it('goes StandAlone after a split brain, and recovers with --discard-my-data', async () => {
    await link(false);
    await until('A disconnected', async () => (await connState(A)) === 'Connecting');
    // both write while disconnected
    expect(await on(A, 'drbdadm', 'primary', RES)).to.include({ rc: 0 });
    await link(true);
    await until('both StandAlone', async () => (await connState(A)) === 'StandAlone' && (await connState(B)) === 'StandAlone');
    expect((await on(A, 'drbdadm', 'status', RES)).stdout).to.equal(`${RES} role:Primary\n  disk:UpToDate\n  ${B.host} connection:StandAlone\n\n`);
    // drbd.md §11 manual recovery: A is the victim
    expect(await on(A, 'drbdadm', 'secondary', RES)).to.include({ rc: 0 });
    expect(await on(A, 'drbdadm', 'connect', '--discard-my-data', RES)).to.include({ rc: 0 });
    expect(await on(B, 'drbdadm', 'connect', RES)).to.include({ rc: 0 });
    await until('A resynced from B', async () => (await connState(A)) === 'Connected' && (await diskState(A)) === 'UpToDate' && !/Sync/.test(await events(A)));
  });

  it('refuses promotion without UpToDate data (rc 17)', async () => {
    expect(await on(B, 'drbdadm', 'secondary', RES)).to.include({ rc: 0 });
    expect(await on(A, 'drbdadm', 'disconnect', RES)).to.include({ rc: 0 });
    expect((await on(A, 'drbdadm', 'cstate', RES)).stdout).to.equal('StandAlone\n');
    expect(await on(A, 'drbdadm', 'outdate', RES)).to.include({ rc: 0 });
    const r = await on(A, 'drbdadm', 'primary', RES);
    expect(r.rc).to.equal(17);
    expect(r.stderr).to.equal(`${RES}: State change failed: (-2) Need access to UpToDate data\nCommand 'drbdsetup primary ${RES}' terminated with exit code 17\n`);
    expect(await on(A, 'drbdadm', 'adjust', RES)).to.include({ rc: 0 });
    await until('A UpToDate again', async () => (await connState(A)) === 'Connected' && (await diskState(A)) === 'UpToDate');
  });

  it('sees a crashed node as a lost connection, and reconnects when it comes back', async () => {
    const before = ourDaemons();
    expect(before).to.have.length(2);
    // the daemon of A is the one listening in A's namespace
    const ss = await execa('ip', ['netns', 'exec', A.ns, 'ss', '-Htlnp', 'sport = :7789']);
    const pid = Number(/pid=(\d+)/.exec(ss.stdout)?.[1]);
    expect(before).to.include(pid);
    process.kill(pid, 'SIGKILL');
    const ms = await until('B lost A', async () => (await connState(B)) === 'Connecting');
    console.log(`      node crash: connection lost after ${ms} ms`);
    expect(await events(A)).to.equal('exists -\n');
    expect(await on(A, 'drbdadm', 'up', RES)).to.include({ rc: 0 });
    await until('reconnected', async () => (await connState(A)) === 'Connected' && (await connState(B)) === 'Connected');
  });

  it('refuses to demote or take down a Primary whose device is mounted (rc 11)', async () => {
    expect(await on(A, 'drbdadm', 'primary', RES)).to.include({ rc: 0 });
    await execa('mkfs.ext4', ['-q', '-F', DEVICE]);
    const mnt = path.join(dir, 'mnt');
    mkdirSync(mnt);
    // mount, try, unmount, all in one mount namespace of node A (it vanishes with the command)
    const script =
      'mount "$1" "$2" || exit 99; "$3" -c "$4" secondary "$5"; echo "secondary rc=$?"; "$3" -c "$4" down "$5"; echo "down rc=$?"; ' +
      'umount "$2"; "$3" -c "$4" secondary "$5"; echo "after umount rc=$?"';
    const r = await execa('ip', onNodeArgs(A, ['sh', '-c', script, 'held', DEVICE, mnt, path.join(bin, 'drbdadm'), conf, RES]), {
      reject: false,
      env: env(),
    });
    expect(r.stdout).to.equal('secondary rc=11\ndown rc=11\nafter umount rc=0');
    expect(r.stderr).to.include(`${RES}: State change failed: (-12) Device is held open by someone\nCommand 'drbdsetup secondary ${RES}' terminated with exit code 11`);
    expect(r.stderr).to.include(`Command 'drbdsetup down ${RES}' terminated with exit code 11`);
  });

  it('takes both nodes down', async () => {
    expect(await on(A, 'drbdadm', 'down', RES)).to.include({ rc: 0 });
    expect(statSync(DEVICE).isBlockDevice(), 'B still uses the device node').to.equal(true);
    expect(await on(B, 'drbdadm', 'down', RES)).to.include({ rc: 0 });
    expect(await events(B)).to.equal('exists -\n');
    expect(() => statSync(DEVICE)).to.throw();
    await until('daemons gone', async () => ourDaemons().length === 0);
    expect((await on(A, 'drbdadm', 'role', RES)).rc).to.equal(10);
  });
});
