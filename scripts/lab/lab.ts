// SPDX-License-Identifier: GPL-2.0-or-later
// The lab: N Pacemaker/Corosync nodes on this machine, each a network + mount + UTS + PID namespace, joined by a
// switch namespace holding the client and replication bridges, with a client namespace on the client network.
// Every operation here is bounded in time, and teardown works from what the system shows, not from memory.
import { spawn } from 'node:child_process';
import { constants, openSync, closeSync } from 'node:fs';
import { chmod, chown, mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { isWithin, unmountOrder } from '../../agents/Filesystem/mountinfo.js';
import { readMountTable } from '../../agents/Filesystem/proc.js';
import { parseCrmMon, parseFenceHistory, type CrmStatus, type FenceEvent } from './crm.js';
import { ensureFenceAgent } from './install.js';
import {
  CLIENT_IP,
  NICS,
  PREFIX_LENGTH,
  controlFiles,
  findNode,
  isLabNetns,
  labPlan,
  switchPort,
  type LabNode,
  type LabPlan,
  type Nic,
} from './plan.js';
import { INIT_PL, corosyncConf, hostsFile, initialCib, newestSchema, setupScript, type NodeCustomization } from './render.js';
import { findInit, isLocked, killNetns, listNetns, netnsPids, run, waitFor, type RunResult } from './sys.js';

export type LabRef = {
  /** Default `fo`; node-level calls infer it from the node name (fo2 → fo). */
  readonly name?: string;
  /** Default /var/lib/tsha-lab. */
  readonly root?: string;
};

/**
 * How a later issue adds per-node setup (the DRBD simulator, a loop device per node, postfix per node). `node` runs
 * on the host at `up`, once per node; what it returns is saved in lab.json and applied at every boot of that node,
 * also by `tsha lab boot` in another process. Files and loop devices it creates belong under `node.dir`: `down`
 * detaches every loop device whose backing file is inside the lab folder and unmounts every host mount there.
 */
export type LabExtension = {
  readonly name: string;
  node?(node: LabNode, plan: LabPlan): Promise<NodeCustomization | void> | NodeCustomization | void;
  /** Runs once every node is online. */
  up?(lab: LabHandle): Promise<void>;
  /** Runs first in LabHandle.down() (the same process only). */
  down?(plan: LabPlan): Promise<void>;
};

export type LabUpOptions = LabRef & {
  /** 2 to 5, default 2. */
  readonly nodes?: number;
  readonly extensions?: readonly LabExtension[];
  /** More /etc/hosts lines for every node and the client. */
  readonly extraHosts?: readonly string[];
  /** Bound on waiting for every node to be online, default 120 s. */
  readonly timeoutMs?: number;
  /** Progress lines; default none. */
  readonly log?: (line: string) => void;
};

export type LabHandle = {
  readonly plan: LabPlan;
  /** ms from the start of labUp until crm_mon showed every node online. */
  readonly upMs: number;
  exec(node: string, argv: readonly string[], options?: ExecOptions): Promise<RunResult>;
  /** Runs the extensions' down hooks, then labDown. */
  down(): Promise<DownReport>;
};

export type ExecOptions = { readonly timeoutMs?: number; readonly reject?: boolean; readonly input?: string };

type SavedLab = {
  readonly name: string;
  readonly nodes: number;
  readonly extraHosts: readonly string[];
  readonly customizations: Record<string, NodeCustomization>;
  readonly created: string;
};

const NODE_ENV = { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LC_ALL: 'C', HOME: '/root', TERM: 'dumb' };

/** The lab of a node name: fo2 → fo (lab names never end in a digit). */
export function labOfNode(node: string): string {
  return node.replace(/\d+$/, '');
}

function refOf(node: string, ref: LabRef): LabRef {
  return { ...ref, name: ref.name ?? labOfNode(node) };
}

export async function loadLab(ref: LabRef = {}): Promise<{ plan: LabPlan; saved: SavedLab }> {
  const base = labPlan({ ...ref, nodes: 2 });
  let saved: SavedLab;
  try {
    saved = JSON.parse(await readFile(path.join(base.dir, 'lab.json'), 'utf8')) as SavedLab;
  } catch {
    throw new Error(`no lab \`${base.name}\` in ${path.dirname(base.dir)} (start one with \`tsha lab up --name ${base.name}\`)`);
  }
  return { plan: labPlan({ ...ref, name: saved.name, nodes: saved.nodes }), saved };
}

function requireRoot(): void {
  if (process.getuid?.() !== 0) throw new Error('the lab needs root (namespaces, mounts, veth links)');
}

async function ip(args: readonly string[]): Promise<void> {
  await run('ip', args, { timeoutMs: 10_000 });
}

/** Creates the node's links (eth1 on the client bridge, eth2 on the replication bridge) and its addresses. */
async function plugNode(plan: LabPlan, node: LabNode): Promise<void> {
  if (!(await listNetns()).includes(node.netns)) await ip(['netns', 'add', node.netns]);
  await ip(['-n', node.netns, 'link', 'set', 'lo', 'up']);
  for (const nic of NICS) {
    const port = switchPort(node.name, nic);
    const bridge = nic === 'eth1' ? 'br-client' : 'br-repl';
    const address = nic === 'eth1' ? node.clientIp : node.replIp;
    await run('ip', ['-n', node.netns, 'link', 'del', nic], { reject: false, timeoutMs: 10_000 });
    await ip(['link', 'add', nic, 'netns', node.netns, 'type', 'veth', 'peer', 'name', port, 'netns', plan.switchNs]);
    await ip(['-n', plan.switchNs, 'link', 'set', port, 'master', bridge, 'up']);
    await ip(['-n', node.netns, 'addr', 'add', `${address}/${PREFIX_LENGTH}`, 'dev', nic]);
    await ip(['-n', node.netns, 'link', 'set', nic, 'up']);
  }
}

async function buildNetwork(plan: LabPlan, hosts: string): Promise<void> {
  await ip(['netns', 'add', plan.switchNs]);
  for (const bridge of ['br-client', 'br-repl']) {
    await ip(['-n', plan.switchNs, 'link', 'add', bridge, 'type', 'bridge']);
    await ip(['-n', plan.switchNs, 'link', 'set', bridge, 'up']);
  }
  await ip(['netns', 'add', plan.clientNs]);
  await ip(['-n', plan.clientNs, 'link', 'set', 'lo', 'up']);
  await ip(['link', 'add', 'eth1', 'netns', plan.clientNs, 'type', 'veth', 'peer', 'name', 'client-e1', 'netns', plan.switchNs]);
  await ip(['-n', plan.switchNs, 'link', 'set', 'client-e1', 'master', 'br-client', 'up']);
  await ip(['-n', plan.clientNs, 'addr', 'add', `${CLIENT_IP}/${PREFIX_LENGTH}`, 'dev', 'eth1']);
  await ip(['-n', plan.clientNs, 'link', 'set', 'eth1', 'up']);
  // `ip netns exec` binds /etc/netns/<ns>/hosts over /etc/hosts: the client's names
  await mkdir(`/etc/netns/${plan.clientNs}`, { recursive: true });
  await writeFile(`/etc/netns/${plan.clientNs}/hosts`, hosts);
  for (const node of plan.nodes) await plugNode(plan, node);
}

/** The node's private folders, owned as the Debian packages own the host's. */
async function prepareNodeDirs(plan: LabPlan, node: LabNode, hosts: string, schema: string): Promise<void> {
  const { uid, gid } = await hacluster();
  const d = node.dir;
  for (const sub of ['etc-corosync', 'var-lib-corosync']) await mkdir(path.join(d, sub), { recursive: true, mode: 0o755 });
  await mkdir(path.join(d, 'var-lib-pacemaker'), { recursive: true, mode: 0o755 });
  for (const sub of ['cib', 'pengine', 'blackbox', 'cores']) {
    const p = path.join(d, 'var-lib-pacemaker', sub);
    await mkdir(p, { recursive: true });
    await chown(p, uid, gid);
    await chmod(p, 0o750);
  }
  await mkdir(path.join(node.logDir, 'cluster'), { recursive: true });
  for (const sub of ['pacemaker', 'pacemaker/bundles']) {
    const p = path.join(node.logDir, sub);
    await mkdir(p, { recursive: true });
    await chown(p, uid, gid);
    await chmod(p, 0o770);
  }
  await writeFile(path.join(d, 'etc-corosync', 'corosync.conf'), corosyncConf(plan));
  const cib = path.join(d, 'var-lib-pacemaker', 'cib', 'cib.xml');
  await writeFile(cib, initialCib(plan, schema), { mode: 0o600 });
  await chown(cib, uid, gid);
  await writeFile(path.join(d, 'hosts'), hosts, { mode: 0o644 });
}

async function hacluster(): Promise<{ uid: number; gid: number }> {
  const passwd = await readFile('/etc/passwd', 'utf8');
  const group = await readFile('/etc/group', 'utf8');
  const uid = /^hacluster:[^:]*:(\d+):/m.exec(passwd)?.[1];
  const gid = /^haclient:[^:]*:(\d+):/m.exec(group)?.[1];
  if (!uid || !gid) throw new Error('user hacluster or group haclient missing: is pacemaker installed?');
  return { uid: Number(uid), gid: Number(gid) };
}

/** Starts the node's init in fresh mount, UTS and PID namespaces inside its network namespace. */
async function startNode(plan: LabPlan, node: LabNode): Promise<void> {
  const files = controlFiles(node.dir);
  const consoleLog = path.join(node.logDir, 'console.log');
  const fd = openSync(consoleLog, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT, 0o644);
  // a daemon that outlives this process (tsha lab up returns): child_process.spawn, detached and unreferenced
  const child = spawn(
    'ip',
    ['netns', 'exec', node.netns, 'unshare', '--mount', '--uts', '--pid', '--fork', '--mount-proc', '--kill-child', 'perl', path.join(plan.dir, 'init.pl'), node.dir],
    { detached: true, stdio: ['ignore', fd, fd], env: NODE_ENV },
  );
  closeSync(fd);
  let exited: string | undefined;
  child.on('exit', (code, signal) => (exited = `exit ${code ?? signal}`));
  child.on('error', (error) => (exited = error.message));
  child.unref();
  await waitFor(`node ${node.name} to start`, 15_000, async () => {
    if (await isLocked(files.alive)) return true;
    if (exited) throw new Error(`node ${node.name} did not start (${exited}):\n${await tail(consoleLog, 20)}`);
    return undefined;
  }, 100);
}

export async function tail(file: string, lines: number): Promise<string> {
  try {
    return (await readFile(file, 'utf8')).split('\n').slice(-lines - 1).join('\n');
  } catch {
    return `(no ${file})`;
  }
}

/** The last lines of every log of the lab's nodes (console, corosync, pacemaker), for a failed test's output. */
export async function logTails(ref: LabRef = {}, lines = 30, nodes?: readonly string[]): Promise<string> {
  const plan = labPlan({ ...ref, nodes: 5 });
  const dirs = await readdir(plan.logDir).catch(() => [] as string[]);
  const out: string[] = [];
  for (const node of dirs.filter((d) => !nodes || nodes.includes(d)).sort()) {
    for (const file of ['console.log', 'cluster/corosync.log', 'pacemaker/pacemaker.log']) {
      const p = path.join(plan.logDir, node, file);
      out.push(`==> ${p} <==\n${await tail(p, lines)}`);
    }
  }
  return out.join('\n');
}

export async function labUp(options: LabUpOptions = {}): Promise<LabHandle> {
  requireRoot();
  const started = Date.now();
  const log = options.log ?? (() => {});
  const plan = labPlan(options);
  const present = (await listNetns()).filter((ns) => isLabNetns(plan.name, ns));
  if (present.length > 0) throw new Error(`lab ${plan.name} is already up (${present.join(', ')}); run \`tsha lab down --name ${plan.name}\` first`);
  for (const program of ['corosync', 'pacemakerd', 'perl', 'unshare', 'nsenter', 'flock', 'ip']) {
    await run('sh', ['-c', 'command -v "$1"', 'sh', program], { timeoutMs: 5_000 }).catch(() => {
      throw new Error(`\`${program}\` not found: the lab needs corosync, pacemaker, perl, util-linux and iproute2`);
    });
  }
  await ensureFenceAgent();
  // what an earlier lab of this name may have left in its folder (extension mounts, loop devices)
  await labDown({ name: plan.name, ...(options.root ? { root: options.root } : {}) });
  try {
    await rm(plan.dir, { recursive: true, force: true });
    await mkdir(plan.dir, { recursive: true, mode: 0o755 });
    await writeFile(path.join(plan.dir, 'init.pl'), INIT_PL, { mode: 0o755 });
    const hosts = hostsFile(plan, options.extraHosts);
    const schema = newestSchema(await readdir('/usr/share/pacemaker').catch(() => []));
    const customizations: Record<string, NodeCustomization> = {};
    for (const node of plan.nodes) {
      await prepareNodeDirs(plan, node, hosts, schema);
      const merged: { binds: NonNullable<NodeCustomization['binds']>[number][]; tmpfs: string[]; run: (readonly string[])[] } = { binds: [], tmpfs: [], run: [] };
      for (const extension of options.extensions ?? []) {
        const custom = (await extension.node?.(node, plan)) ?? {};
        merged.binds.push(...(custom.binds ?? []));
        merged.tmpfs.push(...(custom.tmpfs ?? []));
        merged.run.push(...(custom.run ?? []));
      }
      customizations[node.name] = merged;
      await writeFile(controlFiles(node.dir).setup, setupScript(node, merged), { mode: 0o755 });
    }
    const saved: SavedLab = { name: plan.name, nodes: plan.nodes.length, extraHosts: options.extraHosts ?? [], customizations, created: new Date().toISOString() };
    await writeFile(path.join(plan.dir, 'lab.json'), `${JSON.stringify(saved, null, 2)}\n`);
    log(`lab ${plan.name}: ${plan.nodes.length} nodes, folder ${plan.dir}`);
    await buildNetwork(plan, hosts);
    for (const node of plan.nodes) await startNode(plan, node);
    log(`lab ${plan.name}: nodes started, waiting for every node to be online`);
    await waitOnline({ name: plan.name, root: options.root }, plan.nodes.map((n) => n.name), options.timeoutMs ?? 120_000);
    const upMs = Date.now() - started;
    log(`lab ${plan.name}: every node online after ${(upMs / 1000).toFixed(1)} s`);
    const handle: LabHandle = {
      plan,
      upMs,
      exec: (node, argv, execOptions) => labExec(node, argv, { ...execOptions, name: plan.name, root: options.root }),
      down: async () => {
        for (const extension of options.extensions ?? []) await extension.down?.(plan).catch(() => {});
        return labDown({ name: plan.name, root: options.root });
      },
    };
    for (const extension of options.extensions ?? []) await extension.up?.(handle);
    return handle;
  } catch (error) {
    const tails = await logTails({ name: plan.name, root: options.root }, 15);
    await labDown({ name: plan.name, root: options.root }).catch(() => {});
    throw new Error(`${(error as Error).message}\n${tails}`);
  }
}

export type DownReport = { readonly namespaces: readonly string[]; readonly killed: number; readonly loops: readonly string[]; readonly mounts: readonly string[] };

/** Stops everything a lab started and deletes it, from what the system shows (works after a half-failed up). */
export async function labDown(ref: LabRef = {}): Promise<DownReport> {
  requireRoot();
  const plan = labPlan({ ...ref, nodes: 2 });
  const namespaces = (await listNetns()).filter((ns) => isLabNetns(plan.name, ns));
  let killed = 0;
  // nodes first: killing a node's PID namespace init takes every process of the node with it
  for (const ns of [...namespaces].sort((a, b) => Number(a.endsWith('-switch')) - Number(b.endsWith('-switch')))) killed += await killNetns(ns);
  const mounts = await hostMountsUnder(plan.dir);
  for (const mount of mounts) await run('umount', ['--lazy', mount], { reject: false, timeoutMs: 10_000 });
  const loops = await loopsUnder(plan.dir);
  for (const loop of loops) await run('losetup', ['--detach', loop], { reject: false, timeoutMs: 10_000 });
  for (const ns of namespaces) await run('ip', ['netns', 'delete', ns], { reject: false, timeoutMs: 10_000 });
  for (const ns of namespaces) await rm(`/etc/netns/${ns}`, { recursive: true, force: true });
  // the logs stay for reading after a failure; the next `up` of this name wipes them
  for (const entry of ['nodes', 'lab.json', 'init.pl']) await rm(path.join(plan.dir, entry), { recursive: true, force: true });
  return { namespaces, killed, loops, mounts };
}

/** Host mount points inside `dir`, deepest first. */
export async function hostMountsUnder(dir: string): Promise<string[]> {
  const inside = (await readMountTable()).filter((e) => isWithin(e.mountPoint, dir));
  return [...new Set(unmountOrder(inside).map((e) => e.mountPoint))];
}

/** Loop devices whose backing file is inside `dir`. */
export async function loopsUnder(dir: string): Promise<string[]> {
  const result = await run('losetup', ['--list', '--noheadings', '--output', 'NAME,BACK-FILE'], { reject: false, timeoutMs: 10_000 });
  return result.stdout
    .split('\n')
    .map((line) => /^(\S+)\s+(.*)$/.exec(line.trim()))
    .filter((m): m is RegExpExecArray => m !== null)
    .filter((m) => (m[2] ?? '').replace(/ \(deleted\)$/, '').startsWith(`${dir}/`))
    .map((m) => m[1] as string);
}

/** The host PID of a node's init, undefined when the node is off. */
export async function nodeInit(node: string, ref: LabRef = {}): Promise<number | undefined> {
  const { plan } = await loadLab(refOf(node, ref));
  return findInit(await netnsPids(findNode(plan, node).netns));
}

/**
 * Runs a command inside a node (all its namespaces: crm_mon, pcs, crm_attribute, cibadmin see that node's
 * cluster daemons), or inside the client namespace when `node` is `client`.
 */
export async function labExec(node: string, argv: readonly string[], options: ExecOptions & LabRef = {}): Promise<RunResult> {
  const [file, args] = await execArgv(node, argv, options);
  return run(file, args, { timeoutMs: options.timeoutMs ?? 60_000, reject: options.reject ?? true, ...(options.input !== undefined ? { input: options.input } : {}) });
}

/** The host command that runs argv in a node: [file, args]. */
export async function execArgv(node: string, argv: readonly string[], ref: LabRef = {}): Promise<[string, string[]]> {
  if (argv.length === 0) throw new Error('no command to run');
  if (node === 'client') {
    const plan = labPlan({ ...ref, nodes: 2 });
    return ['ip', ['netns', 'exec', plan.clientNs, ...argv]];
  }
  const pid = await nodeInit(node, ref);
  if (pid === undefined) throw new Error(`node ${node} is off`);
  return ['nsenter', ['--target', String(pid), '--all', '--', ...argv]];
}

export async function isOn(node: string, ref: LabRef = {}): Promise<boolean> {
  const { plan } = await loadLab(refOf(node, ref));
  return isLocked(controlFiles(findNode(plan, node).dir).alive);
}

/** crm_mon's view from a node (default: the first node that is on). */
export async function clusterStatus(ref: LabRef & { from?: string } = {}): Promise<CrmStatus> {
  const { plan } = await loadLab(ref);
  const from = ref.from ?? (await firstOn(plan, ref));
  const result = await labExec(from, ['crm_mon', '--one-shot', '--inactive', '--output-as=xml'], { ...ref, name: plan.name, timeoutMs: 20_000, reject: false });
  if (!result.stdout.includes('<pacemaker-result')) throw new Error(`crm_mon on ${from}: ${result.stderr.trim() || `exit ${result.exitCode}`}`);
  return parseCrmMon(result.stdout);
}

async function firstOn(plan: LabPlan, ref: LabRef): Promise<string> {
  for (const node of plan.nodes) if (await isOn(node.name, { ...ref, name: plan.name })) return node.name;
  throw new Error(`every node of lab ${plan.name} is off`);
}

/** Waits until crm_mon, on each of `nodes`, shows all of them online and a DC elected. */
export async function waitOnline(ref: LabRef, nodes: readonly string[], timeoutMs = 120_000): Promise<CrmStatus> {
  let last = '';
  try {
    return await waitFor(`${nodes.join(', ')} online`, timeoutMs, async () => {
      let status: CrmStatus | undefined;
      for (const from of nodes) {
        status = await clusterStatus({ ...ref, from }).catch((error: Error) => {
          last = error.message;
          return undefined;
        });
        if (!status) return undefined;
        const online = status.nodes.filter((n) => n.online).map((n) => n.name);
        last = `${from} sees DC ${status.dc ?? 'none'}, online: ${online.join(' ') || 'none'}`;
        if (!status.dc || !nodes.every((n) => online.includes(n))) return undefined;
      }
      return status;
    }, 500);
  } catch (error) {
    throw new Error(`${(error as Error).message} (last: ${last})`);
  }
}

/** Power loss: kills the node's PID namespace at once, then cuts its links. */
export async function crash(node: string, ref: LabRef = {}): Promise<void> {
  requireRoot();
  const { plan } = await loadLab(refOf(node, ref));
  const n = findNode(plan, node);
  const init = await findInit(await netnsPids(n.netns));
  if (init !== undefined) process.kill(init, 'SIGKILL');
  await killNetns(n.netns);
  for (const nic of NICS) await run('ip', ['-n', n.netns, 'link', 'del', nic], { reject: false, timeoutMs: 10_000 });
  await waitFor(`node ${node} to release its lock`, 10_000, async () => ((await isLocked(controlFiles(n.dir).alive)) ? undefined : true), 100);
}

async function setLink(node: string, nic: string, state: 'up' | 'down', ref: LabRef): Promise<void> {
  requireRoot();
  if (nic !== 'eth1' && nic !== 'eth2') throw new Error(`expected eth1 or eth2, got \`${nic}\``);
  const { plan } = await loadLab(refOf(node, ref));
  findNode(plan, node);
  // at the switch port, like pulling the cable: the node sees its carrier go
  await ip(['-n', plan.switchNs, 'link', 'set', switchPort(node, nic as Nic), state]).catch(() => {
    throw new Error(`node ${node} has no ${nic} (is it off?)`);
  });
}

export async function cut(node: string, nic: string, ref: LabRef = {}): Promise<void> {
  await setLink(node, nic, 'down', ref);
}

export async function heal(node: string, nic: string, ref: LabRef = {}): Promise<void> {
  await setLink(node, nic, 'up', ref);
}

/** Powers a node on again (after a crash or a fence) and, unless wait is false, waits until it is back online. */
export async function boot(node: string, options: LabRef & { wait?: boolean; timeoutMs?: number } = {}): Promise<void> {
  requireRoot();
  const ref = refOf(node, options);
  const { plan } = await loadLab(ref);
  const n = findNode(plan, node);
  const files = controlFiles(n.dir);
  if (await isLocked(files.alive)) throw new Error(`node ${node} is on`);
  // leftovers of the previous life: processes (none, normally), a stale power-off request, links
  await killNetns(n.netns);
  await rm(files.powerOff, { force: true });
  await plugNode(plan, n);
  await startNode(plan, n);
  if (options.wait ?? true) {
    const on: string[] = [];
    for (const other of plan.nodes) if (await isLocked(controlFiles(other.dir).alive)) on.push(other.name);
    await waitOnline(ref, on, options.timeoutMs ?? 120_000);
  }
}

export type NodeState = {
  readonly name: string;
  readonly power: 'on' | 'off';
  readonly init: number | undefined;
  readonly links: Record<Nic, 'up' | 'down' | 'absent'>;
  readonly clientIp: string;
  readonly replIp: string;
};

export type LabStatus = { readonly plan: LabPlan; readonly nodes: readonly NodeState[]; readonly cluster: CrmStatus | undefined; readonly error?: string };

export async function labStatus(ref: LabRef = {}): Promise<LabStatus> {
  const { plan } = await loadLab(ref);
  const links = await run('ip', ['-n', plan.switchNs, '-o', 'link', 'show'], { reject: false, timeoutMs: 10_000 });
  const nodes: NodeState[] = [];
  for (const n of plan.nodes) {
    const linkState = (nic: Nic) => {
      const line = links.stdout.split('\n').find((l) => l.includes(` ${switchPort(n.name, nic)}@`));
      if (!line) return 'absent' as const;
      return /[<,]UP[,>]/.test(line) ? ('up' as const) : ('down' as const);
    };
    const init = await findInit(await netnsPids(n.netns));
    const power = (await isLocked(controlFiles(n.dir).alive)) ? 'on' : 'off';
    nodes.push({ name: n.name, power, init, links: { eth1: linkState('eth1'), eth2: linkState('eth2') }, clientIp: n.clientIp, replIp: n.replIp });
  }
  try {
    return { plan, nodes, cluster: await clusterStatus({ ...ref, name: plan.name }) };
  } catch (error) {
    return { plan, nodes, cluster: undefined, error: (error as Error).message };
  }
}

/** Fencing history as a node's fencer knows it (without --verbose, stonith_admin shows one event per target). */
export async function fenceHistory(ref: LabRef & { from?: string } = {}): Promise<FenceEvent[]> {
  const { plan } = await loadLab(ref);
  const from = ref.from ?? (await firstOn(plan, ref));
  const result = await labExec(from, ['stonith_admin', '--history', '*', '--verbose', '--output-as=xml'], { ...ref, name: plan.name, timeoutMs: 20_000, reject: false });
  return parseFenceHistory(result.stdout);
}


