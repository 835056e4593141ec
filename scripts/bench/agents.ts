// SPDX-License-Identifier: GPL-2.0-or-later
// `make bench`: every installed ocf:tsha agent against the agent users run today (ocf:heartbeat IPaddr2,
// Filesystem, MailTo; ocf:linbit:drbd) on the same resource, and against the floor (node running an empty
// CommonJS file with an empty environment): wall time, CPU (user+sys of the process tree) and peak RSS, medians of
// RUNS (default 15) runs interleaved in one process. Then what the seed's monitors cost a node per hour, and how
// that grows with the number of addresses and mounts. Prints tables and writes build/bench/bench.json; never
// pass/fail. Needs root and the installed agents (it measures whatever is installed).
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { initMetadata, installWrappers, writeDrbdConf } from '../drbdsim/setup.js';
import { heartbeatEnv, removeScratch } from '../harness/filesystem.js';
import { createLoop, type LoopDevice } from '../harness/loop.js';
import { killNetns } from '../lab/sys.js';
import { DEFAULT_PATH, Runner, cpuSecondsPerHour, fmtNum, fmtRatio, formatTable, ratio, summarize, type Candidate, type Sample, type Summary } from './measure.js';

const RUNS = Number(process.env.RUNS ?? 15);
// AGENTS=drbd,MailTo: only those sections (the JSON then holds only their rows)
const AGENTS = process.env.AGENTS?.split(',').filter(Boolean);
const OCF = '/usr/lib/ocf/resource.d';
const NODE = process.execPath;
const OUT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../build/bench/bench.json');

type Who = 'tsha' | 'today';
/** One resource both agents act on; `state` (drbd) reads what an action really did. */
type Target = {
  readonly agent: string;
  readonly today: { readonly file: string; readonly provider: string };
  readonly instance: string;
  readonly params: Record<string, string>;
  readonly meta?: Record<string, string>;
  /** PATH and HA_RSCTMP, the same for both agents. */
  readonly env: Record<string, string>;
  readonly netns?: string;
  readonly state?: () => Promise<string>;
  /** Why today's agent may fail here, added to the exit code it gave. */
  readonly todayLimit?: string;
};
type Op = { readonly action: string; readonly label?: string; readonly meta?: Record<string, string>; readonly rc: number; readonly env?: Record<string, string>; readonly after?: string };

type Row = {
  agent: string;
  action: string;
  floor: 'node' | 'ip netns exec + node';
  tsha: Summary;
  today?: Summary;
  todayNote?: string;
  floorStats: Summary;
};
type HourRow = { resource: string; agent: string; intervalS: number; n: number; tshaCpuMs: number; todayCpuMs?: number; todayNote?: string; netnsCpuMs?: number };

const rows: Row[] = [];
const hours: HourRow[] = [];
let runner: Runner;
let emptyCjs: string;

function ocfEnv(t: Target, who: Who, op: Op): Record<string, string> {
  const env: Record<string, string> = {
    OCF_ROOT: '/usr/lib/ocf',
    OCF_RA_VERSION_MAJOR: '1',
    OCF_RA_VERSION_MINOR: '1',
    OCF_RESOURCE_INSTANCE: t.instance,
    OCF_RESOURCE_TYPE: t.agent,
    OCF_RESOURCE_PROVIDER: who === 'tsha' ? 'tsha' : t.today.provider,
    OCF_RESKEY_CRM_meta_timeout: '20000',
    ...t.env,
    ...op.env,
  };
  for (const [k, v] of Object.entries(t.params)) env[`OCF_RESKEY_${k}`] = v;
  for (const [k, v] of Object.entries({ ...t.meta, ...op.meta })) env[`OCF_RESKEY_CRM_meta_${k}`] = v;
  return env;
}

function candidate(t: Target, who: Who, op: Op): Candidate {
  const file = who === 'tsha' ? `${OCF}/tsha/${t.agent}` : t.today.file;
  const [cmd, args] = t.netns ? ['ip', ['netns', 'exec', t.netns, file, op.action]] : [file, [op.action]];
  return { label: `${who} ${t.agent} ${op.label ?? op.action}`, file: cmd, args, env: ocfEnv(t, who, op), expectRc: op.rc };
}

function floor(t: Target): Candidate {
  const [cmd, args] = t.netns ? ['ip', ['netns', 'exec', t.netns, NODE, emptyCjs]] : [NODE, [emptyCjs]];
  return { label: `floor ${t.agent}`, file: cmd, args, env: {} };
}

/** One try of today's agent: undefined when it did what the op says, else why not. */
async function tryToday(t: Target, op: Op): Promise<string | undefined> {
  const c = candidate(t, 'today', op);
  const s = await runner.runOnce(c);
  const reason = /ocf-exit-reason:(.*)/.exec(s.stderr)?.[1]?.trim();
  const limit = t.todayLimit ? `; ${t.todayLimit}` : '';
  if (s.rc !== op.rc) return `${t.today.file} ${op.action}: rc ${s.rc}, expected ${op.rc}${reason ? ` (${reason})` : ', no exit reason'}${limit}`;
  if (op.after && t.state) {
    const state = await t.state();
    if (state !== op.after) return `${t.today.file} ${op.action}: rc ${s.rc}, but the resource is ${state}, not ${op.after}${limit}`;
  }
  return undefined;
}

function push(t: Target, op: Op, samples: Map<string, Sample[]>, todayOk: boolean, note?: string): void {
  const get = (c: Candidate) => summarize(samples.get(c.label)!);
  rows.push({
    agent: t.agent,
    action: op.label ?? op.action,
    floor: t.netns ? 'ip netns exec + node' : 'node',
    tsha: get(candidate(t, 'tsha', op)),
    ...(todayOk ? { today: get(candidate(t, 'today', op)) } : {}),
    ...(note ? { todayNote: note } : {}),
    floorStats: get(floor(t)),
  });
}

/** An action that leaves the resource as it was: tsha, today's, floor, interleaved. */
async function compare(t: Target, op: Op): Promise<Row> {
  const note = await tryToday(t, op);
  const cs = [candidate(t, 'tsha', op), ...(note ? [] : [candidate(t, 'today', op)]), floor(t)];
  push(t, op, await runner.interleave(cs, RUNS), !note, note);
  return rows.at(-1)!;
}

/**
 * Two actions that undo each other (start/stop, promote/demote), alternated so that each is measured from the
 * state it is meant for: tsha x, tsha y, today x, today y, floor. The resource is in y's state before and after.
 */
async function pair(t: Target, x: Op, y: Op): Promise<void> {
  // by the agent's own action where no state can be read (the agents of today that fail here are drbd's)
  const toState = async (op: Op) => {
    if (!t.state || (await t.state()) !== op.after) await runner.run(candidate(t, 'tsha', op));
  };
  const noteX = await tryToday(t, x);
  if (noteX) await toState(x);
  const noteY = await tryToday(t, y);
  if (noteY) await toState(y);
  // where today's agent fails one of the two, tsha's action puts the resource in the state the other needs
  const setup = (op: Op): Candidate => ({ ...candidate(t, 'tsha', op), label: `tsha ${op.action}, as set-up` });
  const today = noteX && noteY ? [] : noteX ? [setup(x), candidate(t, 'today', y)] : noteY ? [candidate(t, 'today', x), setup(y)] : [candidate(t, 'today', x), candidate(t, 'today', y)];
  const samples = await runner.interleave([candidate(t, 'tsha', x), candidate(t, 'tsha', y), ...today, floor(t)], RUNS);
  push(t, x, samples, !noteX, noteX);
  push(t, y, samples, !noteY, noteY);
}

/** The depths the installed tsha agent advertises: depth="N" attributes, and "depth N" in its descriptions. */
async function depths(agent: string): Promise<number[]> {
  const xml = (await execa(`${OCF}/tsha/${agent}`, ['meta-data'], { env: { OCF_ROOT: '/usr/lib/ocf' }, extendEnv: false })).stdout;
  const found = [...xml.matchAll(/depth(?:="| )(\d+)/g)].map((m) => Number(m[1]));
  return [...new Set([0, ...found])].sort((a, b) => a - b);
}

/** The common part: meta-data, validate-all, a probe of the stopped resource, start/stop, then the monitors. */
async function basics(t: Target, monitorMeta: Record<string, string>): Promise<void> {
  await compare(t, { action: 'meta-data', rc: 0 });
  await compare(t, { action: 'validate-all', rc: 0 });
  await compare(t, { action: 'monitor', label: 'probe (stopped)', meta: { interval: '0' }, rc: 7 });
  await pair(t, { action: 'start', rc: 0, after: 'Secondary' }, { action: 'stop', rc: 0, after: 'down' });
  await runner.run(candidate(t, 'tsha', { action: 'start', rc: 0 }));
  if (t.agent !== 'drbd') {
    for (const depth of await depths(t.agent)) {
      await compare(t, { action: 'monitor', label: `monitor depth ${depth}`, meta: monitorMeta, env: { OCF_CHECK_LEVEL: String(depth) }, rc: 0 });
    }
  }
}

async function netns(name: string, ifname: string, cidr: string): Promise<void> {
  await execa('ip', ['netns', 'add', name]);
  const ip = (...args: string[]) => execa('ip', ['-n', name, ...args]);
  await ip('link', 'set', 'lo', 'up');
  // no dummy driver everywhere: a veth pair with both ends in the namespace
  await ip('link', 'add', ifname, 'type', 'veth', 'peer', 'name', `${ifname}p`);
  await ip('link', 'set', `${ifname}p`, 'up');
  await ip('link', 'set', ifname, 'up');
  await ip('addr', 'add', cidr, 'brd', '+', 'dev', ifname);
}

async function dropNetns(name: string): Promise<void> {
  await killNetns(name).catch(() => undefined);
  await execa('ip', ['netns', 'del', name], { reject: false });
}

/** CPU of one monitor with n resources of the kind on the node, for the per-hour table. */
async function scale(t: Target, resource: string, intervalS: number, n: number, op: Op): Promise<void> {
  const note = await tryToday(t, op);
  // Pacemaker runs no `ip netns exec`: its cost (running /bin/true through it) is taken off both agents
  const netnsOnly: Candidate | undefined = t.netns ? { label: 'ip netns exec true', file: 'ip', args: ['netns', 'exec', t.netns, '/bin/true'], env: {} } : undefined;
  const cs = [candidate(t, 'tsha', op), ...(note ? [] : [candidate(t, 'today', op)]), ...(netnsOnly ? [netnsOnly] : [])];
  const samples = await runner.interleave(cs, RUNS);
  const cpu = (c: Candidate) => summarize(samples.get(c.label)!).cpuMs;
  const netnsCpuMs = netnsOnly ? cpu(netnsOnly) : 0;
  hours.push({
    resource,
    agent: t.agent,
    intervalS,
    n,
    tshaCpuMs: cpu(cs[0]!) - netnsCpuMs,
    ...(note ? { todayNote: note } : { todayCpuMs: cpu(cs[1]!) - netnsCpuMs }),
    ...(netnsOnly ? { netnsCpuMs } : {}),
  });
}

async function ipaddr2(tmp: string): Promise<void> {
  const ns = `tsha-${process.pid}-bench`;
  await netns(ns, 'eth1', '192.168.1.11/24');
  try {
    // the seed's ClusterIP
    const t: Target = {
      agent: 'IPaddr2',
      today: { file: `${OCF}/heartbeat/IPaddr2`, provider: 'heartbeat' },
      instance: 'ClusterIP',
      params: { ip: '192.168.1.73', nic: 'eth1', cidr_netmask: '24', iflabel: 'ethcl1', lvs_support: 'true' },
      env: { PATH: DEFAULT_PATH, HA_RSCTMP: path.join(tmp, 'ip-rsctmp') },
      netns: ns,
    };
    await mkdir(t.env.HA_RSCTMP!, { recursive: true });
    const monitor = { interval: '30000' };
    await basics(t, monitor);
    // N addresses on eth1: the seed's one and N-1 others
    let have = 1;
    for (const n of [1, 10, 50]) {
      for (; have < n; have++) await execa('ip', ['-n', ns, 'addr', 'add', `192.168.1.${100 + have}/24`, 'dev', 'eth1']);
      await scale(t, 'ClusterIP', 30, n, { action: 'monitor', meta: monitor, rc: 0 });
    }
    await runner.run(candidate(t, 'tsha', { action: 'stop', rc: 0 }));
  } finally {
    await dropNetns(ns);
  }
}

async function filesystem(tmp: string): Promise<void> {
  const loop = await createLoop({ fstype: 'xfs', sizeMiB: 300 });
  const dir = await mkdtemp(path.join(os.tmpdir(), 'tsha-fs-bench-'));
  try {
    // the seed's ClusterFs; heartbeat's agent refuses to run without modprobe: the same stand-in on both PATHs
    const t: Target = {
      agent: 'Filesystem',
      today: { file: `${OCF}/heartbeat/Filesystem`, provider: 'heartbeat' },
      instance: 'ClusterFs',
      params: { device: loop.device, directory: path.join(dir, 'data'), fstype: 'xfs' },
      env: { PATH: (await heartbeatEnv(dir)).PATH!, HA_RSCTMP: path.join(tmp, 'fs-rsctmp') },
    };
    await mkdir(t.env.HA_RSCTMP!, { recursive: true });
    const monitor = { interval: '20000', timeout: '40000' };
    await basics(t, monitor);
    // N mounts on the node: the xfs one and N-1 tmpfs
    let have = 1;
    for (const n of [1, 5, 20]) {
      for (; have < n; have++) {
        const m = path.join(dir, `other${have}`);
        await mkdir(m);
        await execa('mount', ['-t', 'tmpfs', '-o', 'size=1m', `tsha-bench${have}`, m]);
      }
      await scale(t, 'ClusterFs', 20, n, { action: 'monitor', meta: monitor, env: { OCF_CHECK_LEVEL: '0' }, rc: 0 });
    }
    await runner.run(candidate(t, 'tsha', { action: 'stop', rc: 0 }));
  } finally {
    await removeScratch(dir);
    await loop.dispose();
  }
}

async function mailto(tmp: string): Promise<void> {
  const t: Target = {
    agent: 'MailTo',
    today: { file: `${OCF}/heartbeat/MailTo`, provider: 'heartbeat' },
    instance: 'ClusterMailTo',
    params: { email: 'root', subject: 'FailOver_Home' },
    env: { PATH: DEFAULT_PATH, HA_RSCTMP: path.join(tmp, 'mail-rsctmp') },
  };
  await mkdir(t.env.HA_RSCTMP!, { recursive: true });
  await basics(t, { interval: '30000' });
  const row = rows.find((r) => r.agent === 'MailTo' && r.action === 'monitor depth 0')!;
  hours.push({ resource: 'ClusterMailTo', agent: 'MailTo', intervalS: 30, n: 1, tshaCpuMs: row.tsha.cpuMs, ...(row.today ? { todayCpuMs: row.today.cpuMs } : { todayNote: row.todayNote ?? '' }) });
  await runner.run(candidate(t, 'tsha', { action: 'stop', rc: 0 }));
}

async function drbd(tmp: string): Promise<void> {
  const ns = `tsha-${process.pid}-benchdrbd`;
  const dir = path.join(tmp, 'drbd');
  const stateDir = path.join(dir, 'state');
  const binDir = path.join(dir, 'bin');
  let loop: LoopDevice | undefined;
  let conf = '';
  const env = { PATH: `${binDir}:${DEFAULT_PATH}`, TSHA_DRBDSIM_STATE: stateDir };
  const drbdadm = (...args: string[]) => execa('ip', ['netns', 'exec', ns, 'drbdadm', '-c', conf, ...args], { env, extendEnv: false, reject: false });
  try {
    // one node of the simulator whose peer never comes up (as test/helpers/drbd-node.ts)
    loop = await createLoop({ sizeMiB: 16 });
    conf = writeDrbdConf(path.join(dir, 'etc'), {
      nodes: [
        { name: os.hostname(), address: '192.168.2.71', disk: loop.device },
        { name: 'tsha-bench-peer', address: '192.168.2.72', disk: loop.device },
      ],
    }).confFile;
    initMetadata(stateDir, 'drbddata', [os.hostname()]);
    installWrappers(binDir, { stateDir });
    await netns(ns, 'eth2', '192.168.2.71/24');
    const t: Target = {
      agent: 'drbd',
      today: { file: `${OCF}/linbit/drbd`, provider: 'linbit' },
      instance: 'ClusterDrbd',
      // wfc_timeout 0: start does not wait for a peer that never comes
      params: { drbd_resource: 'drbddata', drbdconf: conf, wfc_timeout: '0' },
      // the seed's promotable clone, under Pacemaker's current and older names
      meta: { clone_max: '2', clone_node_max: '1', promoted_max: '1', promoted_node_max: '1', master_max: '1', master_node_max: '1', notify: 'true' },
      env: { ...env, HA_RSCTMP: path.join(tmp, 'drbd-rsctmp') },
      netns: ns,
      state: async () => {
        const r = await drbdadm('role', 'drbddata');
        return r.exitCode === 0 ? r.stdout.trim() : 'down';
      },
      todayLimit:
        "LINBIT's agent decides whether DRBD runs by `test -f /proc/drbd` (drbd_status), which the simulator cannot " +
        'create (procfs), and its start first loads the module with modprobe',
    };
    await mkdir(t.env.HA_RSCTMP!, { recursive: true });
    await basics(t, {});
    await compare(t, { action: 'monitor', label: 'monitor Unpromoted', meta: { interval: '31000' }, rc: 0 });
    await pair(t, { action: 'promote', rc: 0, after: 'Primary' }, { action: 'demote', rc: 0, after: 'Secondary' });
    await runner.run(candidate(t, 'tsha', { action: 'promote', rc: 0 }));
    const promoted: Op = { action: 'monitor', label: 'monitor Promoted', meta: { interval: '29000' }, rc: 8 };
    await compare(t, promoted);
    await scale(t, 'ClusterDrbd (Promoted)', 29, 1, promoted);
    await runner.run(candidate(t, 'tsha', { action: 'demote', rc: 0 }));
    await runner.run(candidate(t, 'tsha', { action: 'stop', rc: 0 }));
  } finally {
    if (conf) await drbdadm('down', 'drbddata');
    await dropNetns(ns);
    await loop?.dispose();
  }
}

function printRows(): void {
  const mib = (kib: number | undefined) => (kib === undefined ? undefined : kib / 1024);
  const header = ['agent', 'action', 'tsha wall ms', 'cpu ms', 'rss MiB', 'today wall ms', 'cpu ms', 'rss MiB', 'wall/today', 'cpu/today', 'rss/today', 'floor wall', 'floor cpu', 'wall/floor', 'cpu/floor'];
  const lines: string[][] = [];
  for (const r of rows) {
    lines.push([
      r.floor === 'node' ? r.agent : `${r.agent}*`,
      r.action,
      fmtNum(r.tsha.wallMs), fmtNum(r.tsha.cpuMs), fmtNum(mib(r.tsha.rssKiB)),
      fmtNum(r.today?.wallMs), fmtNum(r.today?.cpuMs), fmtNum(mib(r.today?.rssKiB)),
      fmtRatio(ratio(r.tsha.wallMs, r.today?.wallMs)), fmtRatio(ratio(r.tsha.cpuMs, r.today?.cpuMs)), fmtRatio(ratio(r.tsha.rssKiB, r.today?.rssKiB)),
      fmtNum(r.floorStats.wallMs), fmtNum(r.floorStats.cpuMs),
      fmtRatio(ratio(r.tsha.wallMs, r.floorStats.wallMs)), fmtRatio(ratio(r.tsha.cpuMs, r.floorStats.cpuMs)),
    ]);
    if (r.todayNote) lines.push([`today's agent not measured: ${r.todayNote}`]);
  }
  console.log(`\nAgents, medians of ${RUNS} interleaved runs each (tsha, today's, floor); ratios are tsha / other`);
  console.log("today's agent: ocf:heartbeat:IPaddr2, Filesystem, MailTo; ocf:linbit:drbd. floor: node on an empty .cjs, empty environment");
  console.log('* run through `ip netns exec <ns>` (both agents), and so is their floor: `ip netns exec <ns> node empty.cjs`');
  console.log('CPU: user+sys of the whole process tree; rss: peak RSS of the largest process in it');
  console.log("drbd: one node of the simulator (scripts/drbdsim), peer down; its drbdadm/drbdsetup are Node programs, and their CPU is in both agents' figures\n");
  console.log(formatTable(header, lines));
}

function printHours(): void {
  const header = ['resource', 'agent', 'interval s', 'N', 'tsha cpu ms/monitor', 'today cpu ms/monitor', 'tsha cpu s/hour', 'today cpu s/hour', 'tsha/today'];
  const lines: string[][] = [];
  for (const h of hours) {
    const tsha = cpuSecondsPerHour(h.tshaCpuMs, h.intervalS, h.n);
    const today = h.todayCpuMs === undefined ? undefined : cpuSecondsPerHour(h.todayCpuMs, h.intervalS, h.n);
    lines.push([h.resource, h.agent, String(h.intervalS), String(h.n), fmtNum(h.tshaCpuMs), fmtNum(h.todayCpuMs), fmtNum(tsha), fmtNum(today), fmtRatio(ratio(tsha, today))]);
    if (h.todayNote) lines.push([`today's agent not measured: ${h.todayNote}`]);
  }
  // the seed's Promoted node runs one of each
  const total = (label: string, agents: string, seed: HourRow[]) => {
    const sum = (f: (h: HourRow) => number | undefined) => seed.reduce<number | undefined>((a, h) => (a === undefined || f(h) === undefined ? undefined : a + f(h)!), 0);
    const tsha = sum((h) => cpuSecondsPerHour(h.tshaCpuMs, h.intervalS, 1));
    const today = sum((h) => (h.todayCpuMs === undefined ? undefined : cpuSecondsPerHour(h.todayCpuMs, h.intervalS, 1)));
    lines.push([label, agents, '-', '1', '-', '-', fmtNum(tsha), fmtNum(today), fmtRatio(ratio(tsha, today))]);
  };
  const seed = hours.filter((h) => h.n === 1);
  total('seed, Promoted node', 'all four', seed);
  total('seed, Promoted node', 'IP+Fs+MailTo', seed.filter((h) => h.agent !== 'drbd'));
  console.log(`\nMonitor CPU per node per hour at the seed's intervals: CPU of one monitor with N resources of the kind on the node`);
  console.log(`(N addresses on eth1; N mounts: the xfs one and N-1 tmpfs), x 3600/interval x N; medians of ${RUNS} interleaved runs`);
  const netns = hours.find((h) => h.netnsCpuMs !== undefined)?.netnsCpuMs;
  if (netns !== undefined) console.log(`ClusterIP, ClusterDrbd: the CPU of \`ip netns exec <ns> true\` (${fmtNum(netns)} ms, measured alongside) is taken off both agents`);
  console.log('');
  console.log(formatTable(header, lines));
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('run as root (namespaces, loop devices, mounts)');
  const started = Date.now();
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'tsha-bench-'));
  emptyCjs = path.join(tmp, 'empty.cjs');
  await writeFile(emptyCjs, '');
  runner = await Runner.create();
  try {
    for (const [name, section] of [['IPaddr2', ipaddr2], ['Filesystem', filesystem], ['MailTo', mailto], ['drbd', drbd]] as const) {
      if (AGENTS && !AGENTS.includes(name)) continue;
      const t0 = Date.now();
      await section(tmp);
      console.error(`bench: ${name} done in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
    }
  } finally {
    await runner.close();
    await rm(tmp, { recursive: true, force: true });
  }
  printRows();
  printHours();
  await mkdir(path.dirname(OUT), { recursive: true });
  const json = { date: new Date().toISOString(), host: os.hostname(), node: process.version, cpus: os.cpus().length, runs: RUNS, seconds: (Date.now() - started) / 1000, rows, perHour: hours.map((h) => ({ ...h, tshaCpuSPerHour: cpuSecondsPerHour(h.tshaCpuMs, h.intervalS, h.n), todayCpuSPerHour: h.todayCpuMs === undefined ? null : cpuSecondsPerHour(h.todayCpuMs, h.intervalS, h.n) })) };
  await writeFile(OUT, `${JSON.stringify(json, null, 2)}\n`);
  console.log(`\n${rows.length} rows, ${((Date.now() - started) / 1000).toFixed(0)} s; JSON in ${path.relative(process.cwd(), OUT) || OUT}`);
}

await main();
