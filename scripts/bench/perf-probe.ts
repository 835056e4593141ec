// SPDX-License-Identifier: GPL-2.0-or-later
// Per-action cost of the agents with CPU and peak memory besides wall time (measure.ts has wall time only), and of
// several builds side by side: each --tsha LABEL=DIR is a directory of agent executables (default: the installed
// ones). Every run goes through /usr/bin/time, which reports user+sys of the whole process tree and its peak RSS;
// runs are interleaved and the environment is `env -i` plus the OCF variables, as Pacemaker runs agents.
//   node dist/scripts/bench/perf-probe.js startup|ipaddr2|filesystem [--runs N] [--tsha LABEL=DIR]... [--node PATH]
// startup: the floor (`node empty.cjs`, empty environment), a MailTo monitor and probe, every agent's meta-data.
// ipaddr2: monitor of an address that is up, in a throw-away network namespace, against heartbeat's (needs root).
// filesystem: depth-0 monitor of a mounted xfs loop device, against heartbeat's (needs root).
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { median } from './measure.js';

type Candidate = { label: string; file: string; args: string[]; env: Record<string, string>; expectRc?: number };
type Sample = { wall: number; cpu: number; rss: number };

const argv = process.argv.slice(2);
const scenario = argv[0];
const opt = (name: string): string[] => argv.flatMap((a, i) => (a === name && argv[i + 1] ? [argv[i + 1]!] : []));
const runs = Number(opt('--runs')[0] ?? 20);
const nodeBin = opt('--node')[0] ?? process.execPath;
const variants = (opt('--tsha').length ? opt('--tsha') : ['tsha=/usr/lib/ocf/resource.d/tsha']).map((v) => {
  const [label, dir] = v.includes('=') ? [v.slice(0, v.indexOf('=')), v.slice(v.indexOf('=') + 1)] : [path.basename(v), v];
  return { label, dir };
});
const HB = '/usr/lib/ocf/resource.d/heartbeat';

const tmp = await mkdtemp(path.join(os.tmpdir(), 'tsha-perf-'));
const timeFile = path.join(tmp, 'time');

/** One run under /usr/bin/time: wall ms (measured here), user+sys ms of the tree, peak RSS in KiB. */
async function once(c: Candidate): Promise<Sample> {
  const started = process.hrtime.bigint();
  const child = spawn('/usr/bin/time', ['-f', '%U %S %M', '-o', timeFile, c.file, ...c.args], { env: c.env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const rc = await new Promise<number | null>((resolve) => child.on('close', resolve));
  const wall = Number(process.hrtime.bigint() - started) / 1e6;
  const [user, sys, rss] = (await readFile(timeFile, 'utf8')).trim().split('\n').pop()!.split(' ').map(Number);
  // /usr/bin/time exits with the command's code (and prints `Command exited with non-zero status` first)
  if (c.expectRc !== undefined && rc !== c.expectRc) throw new Error(`${c.label}: rc ${rc}, expected ${c.expectRc}: ${stderr.slice(0, 300)}`);
  return { wall, cpu: (user! + sys!) * 1000, rss: rss! };
}

async function measure(candidates: readonly Candidate[], ratios: readonly [string, string][]): Promise<void> {
  const samples = new Map<string, Sample[]>(candidates.map((c) => [c.label, []]));
  for (const c of candidates) await once(c); // warm the page cache
  for (let i = 0; i < runs; i++) for (const c of candidates) samples.get(c.label)!.push(await once(c));
  const med = (label: string, key: keyof Sample) => median(samples.get(label)!.map((s) => s[key]));
  console.log(`${runs} runs each, interleaved; medians (CPU = user+sys of the process tree, 10 ms resolution)`);
  for (const c of candidates) {
    console.log(
      `${c.label.padEnd(40)} wall ${med(c.label, 'wall').toFixed(1).padStart(6)} ms  cpu ${med(c.label, 'cpu').toFixed(0).padStart(4)} ms  rss ${(med(c.label, 'rss') / 1024).toFixed(1).padStart(5)} MiB`,
    );
  }
  for (const [a, b] of ratios) {
    const r = (key: keyof Sample) => (med(a, key) / Math.max(med(b, key), 1e-9)).toFixed(2);
    console.log(`${a} / ${b}: wall ${r('wall')}x  cpu ${r('cpu')}x  rss ${r('rss')}x`);
  }
}

async function startup(): Promise<void> {
  const empty = path.join(tmp, 'empty.cjs');
  await writeFile(empty, '');
  const rsctmp = path.join(tmp, 'rsctmp');
  const env = { OCF_ROOT: '/usr/lib/ocf', OCF_RESOURCE_INSTANCE: 'bench', OCF_RESKEY_email: 'root', HA_RSCTMP: rsctmp };
  const floor: Candidate = { label: 'floor: node empty.cjs', file: nodeBin, args: [empty], env: {} };
  const candidates: Candidate[] = [floor];
  const ratios: [string, string][] = [];
  for (const v of variants) {
    const add = (what: string, file: string, args: string[], extra: Record<string, string>, expectRc: number) => {
      candidates.push({ label: `${v.label} ${what}`, file: path.join(v.dir, file), args, env: { ...env, ...extra }, expectRc });
      ratios.push([`${v.label} ${what}`, floor.label]);
    };
    // a running MailTo: its state file is there (tsha names it <agent>_<instance>)
    add('MailTo monitor', 'MailTo', ['monitor'], { OCF_RESOURCE_INSTANCE: 'running', OCF_RESKEY_CRM_meta_interval: '10000' }, 0);
    add('MailTo probe (stopped)', 'MailTo', ['monitor'], { OCF_RESKEY_CRM_meta_interval: '0' }, 7);
    for (const agent of ['MailTo', 'IPaddr2', 'Filesystem', 'drbd']) add(`${agent} meta-data`, agent, ['meta-data'], {}, 0);
  }
  await mkdir(rsctmp, { recursive: true });
  await writeFile(path.join(rsctmp, 'MailTo_running'), '{}\n', { mode: 0o600 });
  candidates.push({ label: 'heartbeat MailTo monitor', file: `${HB}/MailTo`, args: ['monitor'], env: { ...env, OCF_RESKEY_CRM_meta_interval: '10000' }, expectRc: 7 });
  await measure(candidates, ratios);
}

/** Runs as a candidate of ipaddr2/filesystem: each variant's monitor, then heartbeat's, the same environment. */
function versusHeartbeat(agent: string, env: Record<string, string>, hbExtra: Record<string, string> = {}): Promise<void> {
  const candidates: Candidate[] = variants.map((v) => ({ label: `${v.label} ${agent} monitor`, file: path.join(v.dir, agent), args: ['monitor'], env, expectRc: 0 }));
  candidates.push({ label: `heartbeat ${agent} monitor`, file: `${HB}/${agent}`, args: ['monitor'], env: { ...env, ...hbExtra }, expectRc: 0 });
  return measure(
    candidates,
    variants.map((v) => [`${v.label} ${agent} monitor`, `heartbeat ${agent} monitor`]),
  );
}

const IP_ENV = {
  OCF_ROOT: '/usr/lib/ocf',
  OCF_RESOURCE_INSTANCE: 'ClusterIP',
  OCF_RESKEY_CRM_meta_timeout: '20000',
  OCF_RESKEY_CRM_meta_interval: '30000',
  OCF_RESKEY_ip: '192.168.1.73',
  OCF_RESKEY_nic: 'eth1',
  OCF_RESKEY_cidr_netmask: '24',
  OCF_RESKEY_iflabel: 'ethcl1',
  OCF_RESKEY_lvs_support: 'true',
};

async function sh(file: string, args: string[]): Promise<void> {
  const child = spawn(file, args, { stdio: 'inherit' });
  const rc = await new Promise<number | null>((resolve) => child.on('close', resolve));
  if (rc !== 0) throw new Error(`${file} ${args.join(' ')}: rc ${rc}`);
}

async function ipaddr2(): Promise<void> {
  const ns = `tsha-${process.pid}-perf`;
  const env = { ...IP_ENV, HA_RSCTMP: path.join(tmp, 'rsctmp') };
  await sh('ip', ['netns', 'add', ns]);
  try {
    const ip = (...args: string[]) => sh('ip', ['-n', ns, ...args]);
    await ip('link', 'set', 'lo', 'up');
    await ip('link', 'add', 'eth1', 'type', 'veth', 'peer', 'name', 'wire');
    await ip('link', 'set', 'wire', 'up');
    await ip('link', 'set', 'eth1', 'up');
    await ip('addr', 'add', '192.168.1.11/24', 'brd', '+', 'dev', 'eth1');
    await ip('addr', 'add', '192.168.1.73/24', 'brd', '+', 'dev', 'eth1', 'label', 'eth1:ethcl1');
    // the whole measurement inside the namespace, so no `ip netns exec` weighs on either agent
    const self = process.argv[1]!;
    const pass = argv.slice(1);
    await sh('ip', ['netns', 'exec', ns, process.execPath, self, 'ipaddr2-inside', ...pass, '--env-rsctmp', env.HA_RSCTMP]);
  } finally {
    await sh('ip', ['netns', 'del', ns]).catch(() => undefined);
  }
}

async function filesystem(): Promise<void> {
  const { createLoop } = await import('../harness/loop.js');
  const { heartbeatEnv, removeScratch, scratchDir } = await import('../harness/filesystem.js');
  const loop = await createLoop({ fstype: 'xfs', sizeMiB: 300 });
  const dir = await scratchDir();
  try {
    const mnt = path.join(dir, 'data');
    await sh('mkdir', ['-p', mnt]);
    await sh('mount', ['-t', 'xfs', loop.device, mnt]);
    const env = {
      OCF_ROOT: '/usr/lib/ocf',
      OCF_RESOURCE_INSTANCE: 'bench',
      OCF_RESKEY_device: loop.device,
      OCF_RESKEY_directory: mnt,
      OCF_RESKEY_fstype: 'xfs',
      OCF_RESKEY_CRM_meta_interval: '20000',
      OCF_RESKEY_CRM_meta_timeout: '40000',
      HA_RSCTMP: path.join(tmp, 'rsctmp'),
    };
    // heartbeat refuses every action without modprobe (minimal containers): its stand-in, on heartbeat's PATH only
    await versusHeartbeat('Filesystem', env, await heartbeatEnv(dir));
  } finally {
    await removeScratch(dir);
    await loop.dispose();
  }
}

try {
  if (scenario === 'startup') await startup();
  else if (scenario === 'ipaddr2') await ipaddr2();
  else if (scenario === 'ipaddr2-inside') await versusHeartbeat('IPaddr2', { ...IP_ENV, HA_RSCTMP: opt('--env-rsctmp')[0]! });
  else if (scenario === 'filesystem') await filesystem();
  else throw new Error('usage: perf-probe.js startup|ipaddr2|filesystem [--runs N] [--tsha LABEL=DIR]... [--node PATH]');
} finally {
  await rm(tmp, { recursive: true, force: true });
}
