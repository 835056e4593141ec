// SPDX-License-Identifier: GPL-2.0-or-later
// Recovery chain of the seed's stack (DRBD on the simulator, XFS on /data, the address, the web server, MailTo) in
// a two-node lab, timed from Pacemaker's own log: node lost, fencing scheduled/requested/done, each action on the
// survivor, then the client served (the client fetching the page). Crashes of the active node (both nodes in turn)
// and `pcs node standby` of it, once with the ocf:tsha agents and once with the agents users run today, side by
// side in one run. A lab per agent set, about 8 min a set here: `make bench` runs it only with BENCH_RECOVERY=1.
// `--set tsha|today FILE` runs one set alone, `--report FILE... SECONDS` prints the tables of sets run that way.
//   BENCH_RECOVERY=1 [RECOVERY_RUNS=10] node dist/scripts/bench/recovery.js     → build/bench/recovery.json
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  applyPcs,
  prepareData,
  seedFirstScript,
  seedWebScript,
  waitDrbdInSync,
  waitServedBy,
  waitSettled,
  failedActions,
} from '../cluster/cluster.js';
import { drbdLabExtension } from '../drbdsim/lab-extension.js';
import { boot, crash, heal, isOn, labDown, labUp, type LabExtension, type LabHandle } from '../lab/index.js';
import { FENCE_DELAY } from '../lab/render.js';
import { run } from '../lab/sys.js';
import { ensurePostfix } from '../mta.js';
import { median } from './measure.js';
import { eventsSince, markLogs, pacemakerLog } from './lab-log.js';
import { crashChain, standbyChain, type Chain } from './pacemaker-log.js';

const NAME = 'rb';
const OUT = 'build/bench/recovery.json';
const RUNS = Number(process.env.RECOVERY_RUNS ?? 10);
/** The resources of the four agents compared (ClusterHttp runs ocf:heartbeat:anything in both sets). */
const AGENT_RESOURCES = ['ClusterDrbd', 'ClusterFs', 'ClusterIP', 'ClusterMailTo'];
const LINBIT = '/usr/lib/ocf/resource.d/linbit/drbd';

type SetName = 'tsha' | 'today';
const SETS: readonly SetName[] = ['tsha', 'today'];
/** The agents users run today in place of ours; drbd stays ocf:tsha:drbd (see linbitNote). */
const TODAY: Readonly<Record<string, string>> = {
  'ocf:tsha:IPaddr2': 'ocf:heartbeat:IPaddr2',
  'ocf:tsha:Filesystem': 'ocf:heartbeat:Filesystem',
  'ocf:tsha:MailTo': 'ocf:heartbeat:MailTo',
};

type Run = { victim: string; chain: Chain };
type SetResult = { set: SetName; agents: string[]; crash: Run[]; standby: Run[]; errors: string[]; ms: number };

/** Why LINBIT's agent is not in the "today" set, from the agent's own code, checked on this machine. */
function linbitNote(): string {
  if (!existsSync(LINBIT)) return `ocf:linbit:drbd is not installed (${LINBIT}); both sets use ocf:tsha:drbd`;
  const code = readFileSync(LINBIT, 'utf8').split('\n');
  const line = code.findIndex((l) => l.trim() === 'test -f /proc/drbd') + 1;
  if (line === 0 || existsSync('/proc/drbd')) return `ocf:linbit:drbd: expected its \`test -f /proc/drbd\` check and no /proc/drbd; both sets use ocf:tsha:drbd`;
  return (
    `ocf:linbit:drbd cannot run on the DRBD simulator: it tells whether DRBD is loaded by \`test -f /proc/drbd\` ` +
    `(is_drbd_enabled, ${LINBIT} line ${line}); /proc/drbd exists only with the kernel module, and procfs lets no ` +
    `file be created or bind-mounted there, so its monitor (drbd_status) always answers OCF_NOT_RUNNING, even with ` +
    `the resource up and Primary, and its start (drbd_start) first runs \`modprobe -s drbd\` for the module the ` +
    `simulator replaces. Both sets use ocf:tsha:drbd; they differ in IPaddr2, Filesystem and MailTo.`
  );
}

/**
 * heartbeat's Filesystem refuses every action, probes included, when `modprobe` is not on PATH (its check_binary;
 * minimal machines like this one have no kmod): a stand-in that exits 0 over the node's /usr/bin, in both sets
 * alike. It is never asked to load anything: xfs is in /proc/filesystems. The same double as the Filesystem
 * monitor bench's (scripts/harness/filesystem.ts).
 */
const MODPROBE_STAND_IN: LabExtension = {
  name: 'modprobe-stand-in',
  async node(_node, plan) {
    const dir = path.join(plan.dir, 'modprobe-stand-in');
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, 'modprobe'), '#!/bin/sh\n# stand-in for heartbeat\'s check_binary: this machine has no kmod\nexit 0\n', { mode: 0o755 });
    // after the drbd extension's binds, which are all outside /usr/bin
    return { run: [['mount', '-t', 'overlay', 'tsha-modprobe', '-o', `lowerdir=${dir}:/usr/bin`, '/usr/bin']] };
  },
};

async function hostHasModprobe(): Promise<boolean> {
  return (await run('sh', ['-c', 'command -v modprobe'], { reject: false, timeoutMs: 5_000 })).exitCode === 0;
}

/** The seed's lab (scripts/cluster seedLabUp), with the modprobe stand-in where the machine has none. */
async function labUpForBench(): Promise<LabHandle> {
  await labDown({ name: NAME });
  const extensions = [drbdLabExtension([], { sizeMb: 512, privateDev: true }), ...((await hostHasModprobe()) ? [] : [MODPROBE_STAND_IN])];
  return labUp({ name: NAME, nodes: 2, extensions });
}

function seedLines(set: SetName): string[][] {
  const lines = [...seedFirstScript(), ...seedWebScript()];
  return lines.map((line) => line.map((w) => (set === 'today' ? (TODAY[w] ?? w) : w)));
}

/** One agent set in a fresh lab: `runs` crashes, then `runs` standby failovers, of the active node. */
async function runSet(set: SetName, runs: number): Promise<SetResult> {
  const started = Date.now();
  const lines = seedLines(set);
  const agents = [...new Set(lines.flatMap((l) => l.filter((w) => /^ocf:/.test(w))))];
  const result: SetResult = { set, agents, crash: [], standby: [], errors: [], ms: 0 };
  console.log(`[${set}] agents: ${agents.join(' ')}`);
  await ensurePostfix();
  const lab = await labUpForBench();
  const nodes = lab.plan.nodes.map((n) => n.name);
  const other = (n: string) => (n === nodes[0] ? nodes[1]! : nodes[0]!);
  const pcs = (n: string, ...args: string[]) => lab.exec(n, ['pcs', ...args], { timeoutMs: 60_000 });
  /** Every node on, no standby, no failure: the stack settled with the other node Unpromoted and in sync. */
  const reset = async (): Promise<string> => {
    for (const n of nodes) {
      if (!(await isOn(n, { name: NAME }))) await boot(n, { name: NAME });
      for (const nic of ['eth1', 'eth2']) await heal(n, nic, { name: NAME });
    }
    await pcs(nodes[0]!, 'node', 'unstandby', '--all');
    if ((await failedActions(lab, nodes[0]!)).length > 0) await pcs(nodes[0]!, 'resource', 'cleanup');
    const { node } = await waitSettled(lab, { from: nodes[0]!, timeoutMs: 120_000 });
    await waitDrbdInSync(lab.plan, other(node));
    await waitServedBy(NAME, node, Date.now(), 30_000);
    return node;
  };
  try {
    await prepareData(lab, nodes[0]!);
    await applyPcs(lab, nodes[0]!, lines);
    let node = await reset();
    for (let i = 1; i <= runs; i++) {
      try {
        const survivor = other(node);
        const offsets = await markLogs(lab, [survivor]);
        const crashedAt = Date.now();
        await crash(node, { name: NAME });
        const served = await waitServedBy(NAME, survivor, crashedAt, 120_000);
        await waitSettled(lab, { from: survivor, peers: [], timeoutMs: 90_000 });
        const chain = crashChain(await eventsSince(lab, offsets), node, crashedAt, crashedAt + served.ms, AGENT_RESOURCES);
        if (!chain) throw new Error(`crash ${i} of ${node}: a mark is missing from ${pacemakerLog(lab, survivor)}`);
        result.crash.push({ victim: node, chain });
        console.log(`[${set}] crash ${i}/${runs} of ${node}: node lost → served by ${survivor} ${chain.chainMs} ms, agents ${chain.agentsMs} ms`);
        await boot(node, { name: NAME });
        await waitSettled(lab, { from: survivor, peers: [node], timeoutMs: 120_000 });
        await waitDrbdInSync(lab.plan, node);
        node = survivor;
      } catch (error) {
        result.errors.push(`crash ${i}: ${(error as Error).message}`);
        console.log(`[${set}] crash ${i}/${runs} failed: ${(error as Error).message}`);
        node = await reset();
      }
    }
    for (let i = 1; i <= runs; i++) {
      try {
        const next = other(node);
        const offsets = await markLogs(lab, [node, next]);
        const at = Date.now();
        await pcs(next, 'node', 'standby', node);
        const served = await waitServedBy(NAME, next, at, 90_000);
        await waitSettled(lab, { from: next, peers: [], timeoutMs: 90_000 });
        const id = lab.plan.nodes.find((n) => n.name === node)!.index;
        const chain = standbyChain(await eventsSince(lab, offsets), id, node, at, at + served.ms, AGENT_RESOURCES);
        if (!chain) throw new Error(`standby ${i} of ${node}: the DC's standby line is missing from the logs`);
        result.standby.push({ victim: node, chain });
        console.log(`[${set}] standby ${i}/${runs} of ${node}: standby seen → served by ${next} ${chain.chainMs} ms, agents ${chain.agentsMs} ms`);
        await pcs(next, 'node', 'unstandby', node);
        await waitSettled(lab, { from: next, peers: [node], timeoutMs: 90_000 });
        await waitDrbdInSync(lab.plan, node);
        node = next;
      } catch (error) {
        result.errors.push(`standby ${i}: ${(error as Error).message}`);
        console.log(`[${set}] standby ${i}/${runs} failed: ${(error as Error).message}`);
        node = await reset();
      }
    }
  } finally {
    await labDown({ name: NAME });
  }
  result.ms = Date.now() - started;
  return result;
}

// ---- report ----

type StepSummary = { took: number; end: number; n: number };
type Summary = { n: number; steps: Map<string, StepSummary>; agentsMs: number; chainMs: number; chainByVictim: Record<string, number> };

function summarize(runs: readonly Run[]): Summary {
  const byName = new Map<string, { took: number[]; end: number[] }>();
  for (const { chain } of runs) {
    for (const s of chain.steps) {
      const e = byName.get(s.name) ?? { took: [], end: [] };
      e.took.push(s.took);
      e.end.push(s.end);
      byName.set(s.name, e);
    }
  }
  const steps = new Map([...byName].map(([name, e]) => [name, { took: median(e.took), end: median(e.end), n: e.took.length }] as const));
  const victims = [...new Set(runs.map((r) => r.victim))].sort();
  const chainByVictim = Object.fromEntries(victims.map((v) => [v, median(runs.filter((r) => r.victim === v).map((r) => r.chain.chainMs))]));
  return {
    n: runs.length,
    steps,
    agentsMs: runs.length ? median(runs.map((r) => r.chain.agentsMs)) : NaN,
    chainMs: runs.length ? median(runs.map((r) => r.chain.chainMs)) : NaN,
    chainByVictim,
  };
}

const ms = (v: number | undefined) => (v === undefined || Number.isNaN(v) ? '-' : String(Math.round(v))).padStart(7);
const ratio = (a: number | undefined, b: number | undefined) => (a === undefined || b === undefined || !b || Number.isNaN(a) || Number.isNaN(b) ? '    -' : (a / b).toFixed(2).padStart(5));

function table(title: string, start: string, tsha: Summary, today: Summary): string[] {
  const out = [`== ${title}: medians in ms (tsha n=${tsha.n}, today n=${today.n}); "at" = ms after ${start} when the step ended`];
  out.push(`${'step'.padEnd(44)} ${'tsha took'.padStart(9)} ${'at'.padStart(7)} | ${'today took'.padStart(10)} ${'at'.padStart(7)} | took tsha/today`);
  const names = [...new Set([...tsha.steps.keys(), ...today.steps.keys()])];
  const at = (n: string) => tsha.steps.get(n)?.end ?? today.steps.get(n)?.end ?? 0;
  for (const name of names.sort((a, b) => at(a) - at(b))) {
    const a = tsha.steps.get(name);
    const b = today.steps.get(name);
    out.push(`${name.padEnd(44)} ${ms(a?.took).padStart(9)} ${ms(a?.end)} | ${ms(b?.took).padStart(10)} ${ms(b?.end)} | ${ratio(a?.took, b?.took)}`);
  }
  out.push(`${"agents' share (4 agents' execution time)".padEnd(44)} ${ms(tsha.agentsMs).padStart(9)} ${''.padStart(7)} | ${ms(today.agentsMs).padStart(10)} ${''.padStart(7)} | ${ratio(tsha.agentsMs, today.agentsMs)}`);
  out.push(`${`chain ${start} → client served`.padEnd(44)} ${ms(tsha.chainMs).padStart(9)} ${''.padStart(7)} | ${ms(today.chainMs).padStart(10)} ${''.padStart(7)} | ${ratio(tsha.chainMs, today.chainMs)}  (target <= 0.70)`);
  const share = (s: Summary) => (Number.isNaN(s.chainMs) ? '-' : `${((100 * s.agentsMs) / s.chainMs).toFixed(0)}%`);
  out.push(`agents' share of the chain: tsha ${share(tsha)}, today ${share(today)} (target <= 25%)`);
  // the first node's fencing waits the lab's delay: the chain per node taken down, where the ratio is not blurred by it
  const victims = [...new Set([...Object.keys(tsha.chainByVictim), ...Object.keys(today.chainByVictim)])].sort();
  const byVictim = victims.map((v) => `${v}: tsha ${ms(tsha.chainByVictim[v]).trim()}, today ${ms(today.chainByVictim[v]).trim()}, ratio ${ratio(tsha.chainByVictim[v], today.chainByVictim[v]).trim()}`);
  out.push(`chain median by node taken down: ${byVictim.join('; ') || '-'}`);
  return out;
}

async function report(results: readonly SetResult[], totalMs: number, runs: number): Promise<void> {
  const modprobeNote = (await hostHasModprobe()) ? undefined : 'no modprobe on this machine: a stand-in that exits 0 is laid over /usr/bin in the lab nodes of both sets (heartbeat\'s Filesystem refuses every action without one; xfs is loaded, so it is never asked to load anything)';
  const get = (set: SetName) => results.find((r) => r.set === set) ?? { set, agents: [], crash: [], standby: [], errors: [`set ${set} did not run`], ms: 0 };
  const tsha = get('tsha');
  const today = get('today');
  const notes = [
    `tsha set: ${tsha.agents.join(' ')}`,
    `today set: ${today.agents.join(' ')}`,
    linbitNote(),
    'the sets run one after the other, not interleaved: ClusterDrbd (ocf:tsha:drbd in both) shows the noise between them',
    ...(modprobeNote ? [modprobeNote] : []),
    `fencing of the first node waits pcmk_delay_base ${FENCE_DELAY} (the lab's tie-breaker for a split): its crashes show it in "fencing done"`,
    'client served: the client polls http://cluster/ every 100 ms (curl, 1 s timeout); the time is taken when the fetch returns',
    ...tsha.errors.map((e) => `tsha error: ${e}`),
    ...today.errors.map((e) => `today error: ${e}`),
    `bench run time: ${(totalMs / 1000).toFixed(0)} s (tsha set ${(tsha.ms / 1000).toFixed(0)} s, today set ${(today.ms / 1000).toFixed(0)} s)`,
  ];
  const lines = [
    ...table('crash of the active node (both nodes in turn)', 'node lost', summarize(tsha.crash), summarize(today.crash)),
    '',
    ...table('pcs node standby of the active node (both nodes in turn)', 'standby seen', summarize(tsha.standby), summarize(today.standby)),
    '',
    ...notes,
  ];
  console.log(lines.join('\n'));
  const json = {
    date: new Date().toISOString(),
    runs,
    totalMs,
    notes,
    sets: Object.fromEntries(results.map((r) => [r.set, { ...r, summary: { crash: plain(summarize(r.crash)), standby: plain(summarize(r.standby)) } }])),
  };
  await mkdir(path.dirname(OUT), { recursive: true });
  await writeFile(OUT, `${JSON.stringify(json, null, 2)}\n`);
  console.log(`written: ${OUT}`);
}

function plain(s: Summary) {
  return { ...s, steps: Object.fromEntries(s.steps) };
}

// ---- entry ----

const self = fileURLToPath(import.meta.url);
const args = process.argv.slice(2);
if (args[0] === '--set') {
  // one set alone
  const set = args[1] as SetName;
  if (!SETS.includes(set) || !args[2]) throw new Error('usage: recovery.js --set tsha|today OUT.json');
  const result = await runSet(set, RUNS);
  await mkdir(path.dirname(args[2]), { recursive: true });
  await writeFile(args[2], JSON.stringify(result));
} else if (args[0] === '--report') {
  // sets run separately (each with `--set`): their files, then the run time in s
  const results = await Promise.all(args.slice(1, -1).map(async (f) => JSON.parse(await readFile(f, 'utf8')) as SetResult));
  await report(results, Number(args.at(-1)) * 1000, RUNS);
} else if (process.env.BENCH_RECOVERY !== '1') {
  console.log('recovery chain: skipped (a lab per agent set, 10 crashes and 10 standby failovers each: about 8 min a set here); run with BENCH_RECOVERY=1 [RECOVERY_RUNS=10]');
} else {
  const started = Date.now();
  const results: SetResult[] = [];
  for (const set of SETS) {
    const file = path.join('build', 'bench', `recovery-${set}.json`);
    await rm(file, { force: true });
    // each set in a process of its own, so that one set's failure still leaves the other's figures
    const r = spawnSync(process.execPath, [self, '--set', set, file], { stdio: 'inherit' });
    if (r.status !== 0) console.log(`set ${set}: exit ${r.status ?? r.signal}`);
    const text = await readFile(file, 'utf8').catch(() => undefined);
    if (text) results.push(JSON.parse(text) as SetResult);
  }
  await report(results, Date.now() - started, RUNS);
}
