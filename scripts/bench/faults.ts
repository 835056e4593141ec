// SPDX-License-Identifier: GPL-2.0-or-later
// Faults in the seed's lab, timed from the fault to the client served again (issue: failures found at once by the
// agents' event watch). One lab, the seed's stack and monitor intervals; each fault FAULT_RUNS times (default 5),
// with the event watch on, and with WATCH=both also off (today's behaviour: only Pacemaker's monitors detect).
// Then, with the watch on: an idle soak (SOAK_MIN minutes, default 10) and FAILOVERS standby failovers (default
// 10), after which no failure may stand that no fault caused; and the orphan checks: no watch process and no
// registration left after `pcs resource disable` of everything, after a crash and boot, and after `lab down`.
// Prints medians; writes build/bench/faults.json. Long (about 20 min with the defaults): only with BENCH_FAULTS=1, as `make bench-faults` sets it.
import { mkdir, writeFile } from 'node:fs/promises';
import { readFile, readdir } from 'node:fs/promises';
import {
  STACK,
  applyPcs,
  failedActions,
  otherNode,
  prepareData,
  resetStack,
  seedFirstScript,
  seedLabUp,
  seedWebScript,
  standbyFailover,
  waitServedBy,
  waitSettled,
} from '../cluster/cluster.js';
import { FAULTS, runFault, type FaultRun } from '../cluster/faults.js';
import { boot, clusterStatus, crash, labDown, type LabHandle } from '../lab/index.js';
import { netnsPids, sleep, waitFor } from '../lab/sys.js';
import { median } from './measure.js';

const NAME = 'fb';
const RUNS = Number(process.env.FAULT_RUNS ?? 5);
const SOAK_MIN = Number(process.env.SOAK_MIN ?? 10);
const FAILOVERS = Number(process.env.FAILOVERS ?? 10);
/** Which parts run (all by default): faults, soak (with the standby failovers), orphans. */
const PARTS = new Set((process.env.PARTS ?? 'faults,soak,orphans').split(','));
// FAULTS=/data,address: only the faults whose name contains one of these
const ONLY = process.env.FAULTS?.split(',').filter(Boolean);
const MODES: readonly ('on' | 'off')[] = process.env.WATCH === 'both' ? ['on', 'off'] : process.env.WATCH === 'off' ? ['off'] : ['on'];
/** The watch daemon's command line (lib/watch/daemon-main.js, bundled). */
const WATCH_CMDLINE = /watch\/daemon-main\.[cm]?js/;
const WATCHED = ['ClusterDrbd', 'ClusterFs', 'ClusterIP'];
/** The seed's resources (the lab's fence device stays). */
const WATCHED_STACK = new Set(['ClusterDrbd', ...STACK]);
const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

async function setWatch(lab: LabHandle, node: string, mode: 'on' | 'off'): Promise<void> {
  const meta = await lab.exec(node, ['crm_resource', '--show-metadata', 'ocf:tsha:IPaddr2'], { timeoutMs: 30_000 });
  if (!meta.stdout.includes('name="event_watch"')) {
    // agents from before the watch: "off" is all they do
    if (mode === 'on') throw new Error('the installed agents have no event_watch parameter');
    return;
  }
  for (const id of WATCHED) {
    await lab.exec(node, ['pcs', 'resource', 'update', id, `event_watch=${mode === 'on' ? 'true' : 'false'}`], { timeoutMs: 60_000 });
  }
}

/** Watch daemons running in each node (by the node's network namespace), and registration files left there. */
async function watchLeftovers(lab: LabHandle): Promise<{ processes: string[]; registrations: string[] }> {
  const processes: string[] = [];
  const registrations: string[] = [];
  for (const n of lab.plan.nodes) {
    for (const pid of await netnsPids(n.netns).catch(() => [])) {
      const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
      if (WATCH_CMDLINE.test(cmdline)) processes.push(`${n.name}: pid ${pid} ${cmdline.replace(/\0/g, ' ').trim()}`);
    }
    const on = await lab.exec(n.name, ['sh', '-c', 'ls -A /run/resource-agents/tsha-watch 2>/dev/null; true'], { reject: false, timeoutMs: 10_000 }).catch(() => undefined);
    for (const file of (on?.stdout ?? '').split('\n').filter((f) => f.endsWith('.json'))) registrations.push(`${n.name}: ${file}`);
  }
  return { processes, registrations };
}

/** Every watch process on the machine (after `lab down`, any one is an orphan). */
async function watchProcessesAnywhere(): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    if (WATCH_CMDLINE.test(cmdline)) found.push(`pid ${entry} ${cmdline.replace(/\0/g, ' ').trim()}`);
  }
  return found;
}

/** No false report: an idle soak, then standby failovers, with the watch on; the failures that stand after each. */
async function soak(lab: LabHandle, from: string): Promise<{ node: string; falseReports: unknown }> {
  let node = from;
  console.log(`\nidle soak of ${SOAK_MIN} min with the watch on...`);
  await sleep(SOAK_MIN * 60_000);
  const afterSoak = await failedActions(lab, node);
  console.log(`  failed actions after the soak: ${afterSoak.length ? afterSoak.join(', ') : 'none'}`);
  const served: string[] = [];
  for (let i = 0; i < FAILOVERS; i++) {
    const moved = await standbyFailover(lab, node);
    node = moved.node;
    served.push(s(moved.servedMs));
  }
  const afterFailovers = await failedActions(lab, node);
  console.log(`  ${FAILOVERS} standby failovers (client served after ${served.join(', ')}); failed actions: ${afterFailovers.length ? afterFailovers.join(', ') : 'none'}`);
  return { node, falseReports: { afterSoak, afterFailovers, soakMinutes: SOAK_MIN, failovers: FAILOVERS } };
}

/** No orphan: watch processes and registrations with the stack running, after disabling it all, after a crash and boot. */
async function orphans(lab: LabHandle, node: string): Promise<unknown> {
  const name = lab.plan.name;
  const running = await watchLeftovers(lab);
  console.log(`\nwatch processes with the stack running: ${running.processes.join('; ') || 'none'}`);
  for (const id of ['ClusterMailTo', 'ClusterHttp', 'ClusterIP', 'ClusterFs', 'ClusterDrbd-clone']) {
    await lab.exec(node, ['pcs', 'resource', 'disable', id], { timeoutMs: 60_000 });
  }
  await waitFor('every resource stopped', 120_000, async () => {
    const status = await clusterStatus({ name, from: node }).catch(() => undefined);
    return status && status.resources.every((r) => !r.active || !WATCHED_STACK.has(r.id)) ? true : undefined;
  }, 500);
  const disabled = await watchLeftovers(lab);
  console.log(`after disabling everything: processes ${disabled.processes.join('; ') || 'none'}; registrations ${disabled.registrations.join('; ') || 'none'}`);
  for (const id of ['ClusterDrbd-clone', 'ClusterFs', 'ClusterIP', 'ClusterHttp', 'ClusterMailTo']) {
    await lab.exec(node, ['pcs', 'resource', 'enable', id], { timeoutMs: 60_000 });
  }
  const { node: active } = await waitSettled(lab, { from: node, timeoutMs: 120_000 });
  await crash(active, { name });
  const survivor = otherNode(lab, active);
  await waitServedBy(name, survivor, Date.now(), 120_000);
  await boot(active, { name });
  await waitSettled(lab, { from: survivor, peers: [active], timeoutMs: 120_000 });
  const rebooted = await watchLeftovers(lab);
  const perNode = Object.fromEntries(lab.plan.nodes.map((n) => [n.name, rebooted.processes.filter((p) => p.startsWith(`${n.name}:`)).length]));
  console.log(`after a crash and boot of ${active}: daemons per node ${JSON.stringify(perNode)}; registrations ${rebooted.registrations.join('; ')}`);
  return { running, disabled, rebooted, perNode };
}

async function main(): Promise<void> {
  const began = Date.now();
  const results: Record<string, unknown> = { runs: RUNS };
  const lab = await seedLabUp(NAME);
  const nodes = lab.plan.nodes.map((n) => n.name);
  try {
    await prepareData(lab, nodes[0]!);
    await applyPcs(lab, nodes[0]!, [...seedFirstScript(), ...seedWebScript()]);
    await waitSettled(lab, { timeoutMs: 120_000 });
    console.log(`lab ${NAME} up, the seed's stack settled (${s(Date.now() - began)})`);

    const table: Record<string, Record<string, { detected: number; served: number; runs: FaultRun[] }>> = {};
    for (const mode of PARTS.has('faults') ? MODES : []) {
      await setWatch(lab, nodes[0]!, mode);
      for (const fault of FAULTS.filter((f) => !ONLY || ONLY.some((o) => f.name.includes(o)))) {
        const runs: FaultRun[] = [];
        for (let i = 0; i < RUNS; i++) {
          const r = await runFault(lab, fault);
          runs.push(r);
          console.log(`  watch ${mode}: ${fault.name}: failure seen after ${s(r.detectedMs)}, served by ${r.movedTo} after ${s(r.servedMs)} (${r.failures.join(', ')})`);
          console.log(`    ${r.steps.map((st) => `${st.action} ${s(st.fromMs)}-${s(st.toMs)}`).join('; ')}`);
        }
        (table[fault.name] ??= {})[mode] = { detected: median(runs.map((r) => r.detectedMs)), served: median(runs.map((r) => r.servedMs)), runs };
      }
    }
    if (PARTS.has('faults')) console.log(`\nfault → client served again, median of ${RUNS} (failure recorded in parentheses)`);
    if (PARTS.has('faults')) console.log(`${'fault'.padEnd(50)}${MODES.map((m) => `watch ${m}`.padStart(22)).join('')}`);
    for (const [fault, byMode] of Object.entries(table)) {
      console.log(`${fault.padEnd(50)}${MODES.map((m) => `${s(byMode[m]!.served)} (${s(byMode[m]!.detected)})`.padStart(22)).join('')}`);
    }
    results.faults = table;

    if (PARTS.has('soak') || PARTS.has('orphans')) {
      await setWatch(lab, nodes[0]!, 'on');
      let node = await resetStack(lab);
      if (PARTS.has('soak')) ({ node, falseReports: results.falseReports } = await soak(lab, node));
      if (PARTS.has('orphans')) results.orphans = await orphans(lab, node);
    }
  } finally {
    await labDown({ name: NAME });
  }
  const afterDown = await watchProcessesAnywhere();
  console.log(`after lab down: watch processes anywhere on this machine: ${afterDown.join('; ') || 'none'}`);
  results.afterLabDown = afterDown;
  await mkdir('build/bench', { recursive: true });
  await writeFile('build/bench/faults.json', `${JSON.stringify(results, null, 2)}\n`);
  console.log(`\nwrote build/bench/faults.json (${s(Date.now() - began)})`);
}

if (process.env.BENCH_FAULTS === '1') await main();
else console.log('faults in the seed\'s lab: not run (about 20 min); `make bench-faults` or BENCH_FAULTS=1 runs it');
