// SPDX-License-Identifier: GPL-2.0-or-later
// ocf:tsha:drbd along a switchover on two simulated DRBD nodes (scripts/drbdsim), each in its own network, UTS and
// mount namespace (drbd-utils and crm_attribute/crm_resource bind-mounted over by the simulator's wrappers and
// stand-ins), agents run as Pacemaker runs them (env -i, OCF variables only). Per action: median wall ms and the
// commands it spawned (strace, one extra traced run per action). Candidates are agent bundles (dist/bundle of a
// checkout), run interleaved in one run; the ratios are printed.
//   node dist/scripts/bench/drbd-failover.js [label=BUNDLE_MAIN_JS ...] [--rounds N]
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { initMetadata, installWrappers, writeDrbdConf } from '../drbdsim/setup.js';
import { linkPair } from '../drbdsim/netns-pair.js';
import { median } from './measure.js';

const RES = 'drbdbench';
const MINOR = 47; // no test uses it: /dev is shared
const tag = `db${process.pid % 100000}`;
const NODES = [
  { host: 'tsha-bench-a', ns: `${tag}a`, address: '192.168.2.1' },
  { host: 'tsha-bench-b', ns: `${tag}b`, address: '192.168.2.2' },
] as const;
type Node = { readonly host: string; readonly ns: string; readonly address: string };
const [A, B] = NODES;

const here = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const roundsAt = args.indexOf('--rounds');
const ROUNDS = roundsAt >= 0 ? Number(args[roundsAt + 1]) : 6;
const given = args.filter((a, i) => a.includes('=') && args[i - 1] !== '--rounds').map((a) => a.split('=', 2) as [string, string]);
const candidates = given.length > 0 ? given : [['this', path.resolve(here, '../../bundle/agents/drbd/main.js')] as [string, string]];

const dir = mkdtempSync(path.join(os.tmpdir(), 'tsha-drbdbench-'));
const stateDir = path.join(dir, 'state');
const bin = path.join(dir, 'bin');
let loop = '';
let conf = '';

/** The node's namespaces: its hostname, the wrappers over drbd-utils, the cluster tools' stand-ins. */
function onNode(node: Node, argv: readonly string[]): string[] {
  const script =
    'set -e; hostname "$0"; mount --make-rprivate /; ' +
    `for t in drbdadm drbdsetup crm_attribute crm_resource; do mount --bind ${bin}/$t /usr/sbin/$t; done; exec "$@"`;
  return ['netns', 'exec', node.ns, 'unshare', '--uts', '--mount', 'sh', '-c', script, node.host, ...argv];
}

type Notify = { type: 'pre' | 'post'; operation: string; promoted: Node[]; demote?: Node; promote?: Node };

function agentEnv(node: Node, extra: Record<string, string>): string[] {
  const vars: Record<string, string> = {
    OCF_ROOT: '/usr/lib/ocf',
    OCF_RESOURCE_INSTANCE: 'drbd:0',
    OCF_RESOURCE_TYPE: 'drbd',
    OCF_RESOURCE_PROVIDER: 'tsha',
    OCF_RESKEY_drbd_resource: RES,
    OCF_RESKEY_drbdconf: conf,
    OCF_RESKEY_crm_feature_set: '3.17.4',
    OCF_RESKEY_CRM_meta_on_node: node.host,
    OCF_RESKEY_CRM_meta_clone_max: '2',
    OCF_RESKEY_CRM_meta_clone_node_max: '1',
    OCF_RESKEY_CRM_meta_promoted_max: '1',
    OCF_RESKEY_CRM_meta_promoted_node_max: '1',
    OCF_RESKEY_CRM_meta_notify: 'true',
    OCF_RESKEY_CRM_meta_timeout: '90000',
    HA_RSCTMP: path.join(dir, 'rsctmp', node.host),
    ...extra,
  };
  return Object.entries(vars).map(([k, v]) => `${k}=${v}`);
}

function notifyVars(n: Notify): Record<string, string> {
  const hosts = (list: Node[]) => list.map((x) => x.host).join(' ');
  return {
    OCF_RESKEY_CRM_meta_notify_type: n.type,
    OCF_RESKEY_CRM_meta_notify_operation: n.operation,
    OCF_RESKEY_CRM_meta_notify_promoted_uname: hosts(n.promoted),
    OCF_RESKEY_CRM_meta_notify_master_uname: hosts(n.promoted),
    OCF_RESKEY_CRM_meta_notify_unpromoted_uname: hosts(NODES.filter((x) => !n.promoted.includes(x))),
    OCF_RESKEY_CRM_meta_notify_demote_uname: n.demote ? n.demote.host : '',
    OCF_RESKEY_CRM_meta_notify_promote_uname: n.promote ? n.promote.host : '',
    OCF_RESKEY_CRM_meta_notify_active_uname: hosts([...NODES]),
  };
}

/** The exit code of the first process in the trace, once strace has written it; then strace is killed. */
async function waitForAgentExit(traceFile: string, proc: ReturnType<typeof execa>): Promise<number | undefined> {
  for (;;) {
    const ended = proc.exitCode !== null;
    let text = '';
    try {
      text = readFileSync(traceFile, 'utf8');
    } catch {
      // not yet
    }
    const first = /^(\d+) /.exec(text)?.[1];
    const exit = first ? new RegExp(`^${first}\\s+\\+\\+\\+ exited with (\\d+) \\+\\+\\+$`, 'm').exec(text) : null;
    if (exit) {
      proc.kill('SIGKILL');
      return Number(exit[1]);
    }
    if (ended) return undefined;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

type Sample = { ms: number[]; commands: string[] | undefined };
const results = new Map<string, Map<string, Sample>>();

/** Runs one action; with trace, under strace, recording the programs it started. */
async function act(candidate: [string, string], label: string, node: Node, action: string, extra: Record<string, string>, expectRc: number, trace: boolean): Promise<void> {
  const traceFile = path.join(dir, 'trace');
  rmSync(traceFile, { force: true });
  // a bundle runs under this node; anything else (LINBIT's shell agent) as it is
  const program = candidate[1].endsWith('.js') ? [process.execPath, candidate[1]] : [candidate[1]];
  const agent = ['env', '-i', ...agentEnv(node, extra), ...program, action];
  const argv = trace ? ['strace', '-f', '-q', '-e', 'trace=execve', '-o', traceFile, ...agent] : agent;
  const started = process.hrtime.bigint();
  const proc = execa('ip', onNode(node, argv), { reject: false, stdin: 'ignore' });
  // strace -f waits for every traced process, and start leaves the simulated kernel running: stop it (which
  // detaches the rest) once the agent itself has exited
  const agentExit = trace ? waitForAgentExit(traceFile, proc) : undefined;
  const r = await proc;
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const rc = trace ? await agentExit : r.exitCode;
  if (rc !== expectRc) throw new Error(`${candidate[0]} ${label}: rc ${rc}, expected ${expectRc}: ${r.stderr.slice(-400)}`);
  const byCandidate = results.get(label) ?? new Map<string, Sample>();
  results.set(label, byCandidate);
  const sample = byCandidate.get(candidate[0]) ?? { ms: [], commands: undefined };
  byCandidate.set(candidate[0], sample);
  if (!trace) {
    sample.ms.push(ms);
    return;
  }
  // the first successful execve of each process but the agent's own (env, then node)
  const firstExec = new Map<string, string>();
  const pending = new Map<string, string>();
  for (const line of readFileSync(traceFile, 'utf8').split('\n')) {
    const m = /^(\d+)\s+(?:execve\("([^"]+)",.*|<\.\.\. execve resumed>.*)= 0$/.exec(line);
    if (m && !firstExec.has(m[1]!)) firstExec.set(m[1]!, m[2] ? path.basename(m[2]) : (pending.get(m[1]!) ?? '?'));
    const unfinished = /^(\d+)\s+execve\("([^"]+)",.*<unfinished \.\.\.>$/.exec(line);
    if (unfinished) pending.set(unfinished[1]!, path.basename(unfinished[2]!));
  }
  const pids = [...firstExec.keys()].sort((x, y) => Number(x) - Number(y)).slice(1);
  sample.commands = pids.map((p) => firstExec.get(p)!).filter((c) => c !== 'env');
}

async function both(label: string, node: Node, action: string, extra: Record<string, string>, expectRc: number, candidate: [string, string], trace: boolean): Promise<void> {
  await act(candidate, label, node, action, extra, expectRc, trace);
}

/** One switchover from `from` to `to`, as Pacemaker runs it when `from` is demoted (all on both nodes). */
async function switchover(from: Node, to: Node, c: [string, string], trace: boolean): Promise<void> {
  const n = (type: 'pre' | 'post', operation: string, promoted: Node[], extra: Partial<Notify> = {}) =>
    notifyVars({ type, operation, promoted, ...extra });
  await both('monitor Promoted', from, 'monitor', { OCF_RESKEY_CRM_meta_interval: '29000', OCF_RESKEY_CRM_meta_role: 'Promoted' }, 8, c, trace);
  await both('monitor Unpromoted', to, 'monitor', { OCF_RESKEY_CRM_meta_interval: '31000', OCF_RESKEY_CRM_meta_role: 'Unpromoted' }, 0, c, trace);
  await both('notify pre demote (survivor)', to, 'notify', n('pre', 'demote', [from], { demote: from, promote: to }), 0, c, trace);
  await both('notify pre demote (demoted)', from, 'notify', n('pre', 'demote', [from], { demote: from, promote: to }), 0, c, trace);
  await both('demote', from, 'demote', {}, 0, c, trace);
  await both('notify post demote (survivor)', to, 'notify', n('post', 'demote', [], { demote: from, promote: to }), 0, c, trace);
  await both('notify post demote (demoted)', from, 'notify', n('post', 'demote', [], { demote: from, promote: to }), 0, c, trace);
  await both('notify pre promote (survivor)', to, 'notify', n('pre', 'promote', [], { demote: from, promote: to }), 0, c, trace);
  await both('promote', to, 'promote', {}, 0, c, trace);
  await both('notify post promote (survivor)', to, 'notify', n('post', 'promote', [to], { demote: from, promote: to }), 0, c, trace);
  await both('notify post promote (demoted)', from, 'notify', n('post', 'promote', [to], { demote: from, promote: to }), 0, c, trace);
}

async function setup(): Promise<void> {
  await execa('truncate', ['-s', '32M', path.join(dir, 'disk.img')]);
  loop = (await execa('losetup', ['-f', '--show', path.join(dir, 'disk.img')])).stdout.trim();
  await linkPair(tag, [A, B]);
  conf = writeDrbdConf(path.join(dir, 'etc'), { resource: RES, device: `/dev/drbd${MINOR}`, port: 7847, nodes: NODES.map((n) => ({ name: n.host, address: n.address, disk: loop })) }).confFile;
  installWrappers(bin, { stateDir });
  // Pacemaker's tools as a cluster-less stand-in: the score call succeeds, --locate knows no Promoted instance
  for (const [name, text] of [['crm_attribute', 'exit 0'], ['crm_resource', 'exit 0']]) {
    writeFileSync(path.join(bin, name!), `#!/bin/sh\n${text}\n`);
    chmodSync(path.join(bin, name!), 0o755);
  }
  initMetadata(stateDir, RES, NODES.map((n) => n.host));
}

async function cleanup(): Promise<void> {
  for (const node of NODES) {
    await execa('ip', onNode(node, [path.join(bin, 'drbdadm'), '-c', conf, 'down', RES]), { reject: false });
    await execa('ip', ['netns', 'del', node.ns], { reject: false });
  }
  await execa('ip', ['link', 'del', `${tag}va`], { reject: false });
  try {
    if (statSync(`/dev/drbd${MINOR}`).rdev === statSync(loop).rdev) rmSync(`/dev/drbd${MINOR}`, { force: true });
  } catch {
    // no device node
  }
  if (loop) await execa('losetup', ['-d', loop], { reject: false });
  rmSync(dir, { recursive: true, force: true });
}

try {
  await setup();
  const c0 = candidates[0]!;
  const wfc = { OCF_RESKEY_wfc_timeout: '5', OCF_RESKEY_CRM_meta_timeout: '240000' };
  await act(c0, 'start (peer down)', A, 'start', wfc, 0, false);
  await act(c0, 'start (peer up)', B, 'start', wfc, 0, false);
  await act(c0, 'promote', A, 'promote', {}, 0, false);
  if (args.includes('--linbit')) {
    // what LINBIT's agent answers on this simulated pair, A Primary and B Secondary, both connected
    const linbit = process.env.LINBIT_AGENT ?? '/usr/lib/ocf/resource.d/linbit/drbd';
    const n = (type: string, operation: string, promoted: Node[]) => notifyVars({ type: type as 'pre', operation, promoted, demote: A, promote: B });
    for (const [node, action, extra] of [
      [A, 'monitor', { OCF_RESKEY_CRM_meta_interval: '29000' }],
      [B, 'monitor', { OCF_RESKEY_CRM_meta_interval: '31000' }],
      [B, 'notify', n('post', 'demote', [])],
      [A, 'demote', {}],
      [B, 'promote', { OCF_RESKEY_CRM_meta_timeout: '20000' }],
      [A, 'stop', {}],
      [A, 'start', { OCF_RESKEY_CRM_meta_timeout: '60000' }],
      [A, 'monitor', { OCF_RESKEY_CRM_meta_interval: '31000' }],
    ] as [Node, string, Record<string, string>][]) {
      const r = await execa('ip', onNode(node, ['env', '-i', ...agentEnv(node, extra), 'bash', '-x', linbit, action]), { reject: false, stdin: 'ignore' });
      const trace = r.stderr.split('\n').filter((l) => /proc\/drbd|exit_reason|modprobe|modinfo|test -b|ERROR|rror:/.test(l));
      console.log(`linbit ${action} on ${node.host}: rc ${r.exitCode}\n  ${trace.slice(-6).join('\n  ')}`);
    }
  }
  if (args.includes('--tools')) {
    // what one command costs on the simulator, through the same namespaces as the agents (`true`: their cost)
    const adm = (...a: string[]) => ['drbdadm', '-c', conf, ...a];
    for (const [label, argv] of [
      ['true (namespaces only)', ['true']],
      ['drbdadm --version', ['drbdadm', '--version']],
      ['drbdadm sh-dev', adm('sh-dev', RES)],
      ['drbdsetup events2 --now', ['drbdsetup', 'events2', '--now', RES]],
      ['drbdadm primary (already)', adm('primary', RES)],
      ['drbdsetup primary (already)', ['drbdsetup', 'primary', RES]],
      ['crm_attribute (stand-in)', ['crm_attribute', '--promotion', '-l', 'reboot', '-v', '1']],
    ] as [string, string[]][]) {
      const ms: number[] = [];
      for (let i = 0; i < 7; i++) {
        const began = process.hrtime.bigint();
        const r = await execa('ip', onNode(A, argv), { reject: false, stdin: 'ignore' });
        if (r.exitCode !== 0) throw new Error(`${label}: rc ${r.exitCode} ${r.stderr}`);
        ms.push(Number(process.hrtime.bigint() - began) / 1e6);
      }
      console.log(`${label.padEnd(32)} median ${median(ms).toFixed(0).padStart(5)} ms`);
    }
  }
  let [from, to]: [Node, Node] = [A, B];
  // --linbit changed the roles: only its answers are printed then (and --tools measures commands alone)
  const only = args.includes('--linbit') || args.includes('--tools');
  for (let r = 0; r < (only ? 0 : ROUNDS + 1); r++) {
    // round 0 traces every candidate once; then the candidates alternate, in an order that alternates too
    const order = r % 2 ? [...candidates].reverse() : candidates;
    for (const c of order) {
      await switchover(from, to, c, r === 0);
      [from, to] = [to, from];
    }
  }
  // stop and start of the Unpromoted node with its peer up
  for (let r = 0; r < (only ? 0 : Math.max(2, ROUNDS / 2)); r++) {
    for (const c of r % 2 ? [...candidates].reverse() : candidates) {
      for (const trace of r === 0 ? [true, false] : [false]) {
        await act(c, 'stop (Unpromoted)', to, 'stop', {}, 0, trace);
        await act(c, 'start (peer up)', to, 'start', wfc, 0, trace);
      }
    }
  }
  const names = candidates.map((c) => c[0]);
  for (const [label, byCandidate] of results) {
    const cells = names.map((n) => {
      const s = byCandidate.get(n);
      if (!s || s.ms.length === 0) return `${n} -`;
      return `${n} ${median(s.ms).toFixed(0).padStart(5)} ms ${String(s.commands?.length ?? '?').padStart(2)} cmds`;
    });
    const first = byCandidate.get(names[0]!);
    const last = byCandidate.get(names[names.length - 1]!);
    const ratio = names.length > 1 && first?.ms.length && last?.ms.length ? `  ratio ${(median(last.ms) / median(first.ms)).toFixed(2)}` : '';
    console.log(`${label.padEnd(32)} ${cells.join('  ')}${ratio}`);
  }
  for (const [label, byCandidate] of results) {
    for (const n of names) {
      const cmds = byCandidate.get(n)?.commands;
      if (cmds) console.log(`  ${label} [${n}]: ${cmds.join(' ') || '(none)'}`);
    }
  }
} finally {
  await cleanup();
}
