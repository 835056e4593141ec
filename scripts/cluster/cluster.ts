// SPDX-License-Identifier: GPL-2.0-or-later
// The seed's failover cluster on a lab (scripts/lab) with the DRBD simulator: the seed's pcs lines with ocf:tsha
// agents, where the resources run, what the client gets, data sets with checksums, and a watcher that samples both
// nodes for /data mounted and DRBD Primary. Shared by `make demo` and the scenario tests (test/scenarios).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readMountTable } from '../../agents/Filesystem/proc.js';
import { RESOURCE, drbdLabExtension, drbdSnapshot, primaryNodes } from '../drbdsim/lab-extension.js';
import { CLUSTER_IP, boot, clusterStatus, heal, isOn, labDown, labExec, labUp, nodeInit, type LabHandle } from '../lab/index.js';
import type { LabPlan } from '../lab/plan.js';
import { isAlive, waitFor } from '../lab/sys.js';
import { header, readMailbox, type Mail } from '../mta.js';

export const DEVICE = '/dev/drbd1';
export const DATA_DIR = '/data';
export const WEB_ROOT = `${DATA_DIR}/www`;
export const SUBJECT = 'FailOver_Home';
/** What runs on the Promoted node, in start order (the seed's first script, then its web part and MailTo). */
export const STACK = ['ClusterFs', 'ClusterIP', 'ClusterHttp', 'ClusterMailTo'] as const;
/** The page on the replicated disk; the web server fills in the node's name. */
export const PAGE = '<html><body><h1>Nom du serveur: {{node}}</h1></body></html>\n';

const here = path.dirname(fileURLToPath(import.meta.url));
export const WEB_SERVER_JS = path.join(here, 'web-server.js');

type Argv = readonly string[];

/** The seed's first script, line for line, with ocf:tsha agents in place of ocf:linbit and ocf:heartbeat. */
export function seedFirstScript(): Argv[] {
  return [
    ['pcs', 'resource', 'create', 'ClusterDrbd', 'ocf:tsha:drbd', `drbd_resource=${RESOURCE}`,
      'op', 'start', 'interval=0s', 'timeout=240s',
      'op', 'stop', 'interval=0s', 'timeout=100s',
      'op', 'monitor', 'interval=29s', 'role=Promoted',
      'op', 'monitor', 'interval=31s', 'role=Unpromoted',
      'clone', 'promotable=true', 'promoted-max=1', 'promoted-node-max=1', 'clone-max=2', 'clone-node-max=1', 'notify=true'],
    ['pcs', 'resource', 'create', 'ClusterFs', 'ocf:tsha:Filesystem', `device=${DEVICE}`, `directory=${DATA_DIR}`, 'fstype=xfs'],
    ['pcs', 'constraint', 'colocation', 'add', 'ClusterFs', 'with', 'Promoted', 'ClusterDrbd-clone', 'score=INFINITY'],
    ['pcs', 'constraint', 'order', 'promote', 'ClusterDrbd-clone', 'then', 'start', 'ClusterFs'],
    ['pcs', 'resource', 'create', 'ClusterIP', 'ocf:tsha:IPaddr2', `ip=${CLUSTER_IP}`, 'nic=eth1', 'cidr_netmask=24', 'iflabel=ethcl1', 'lvs_support=true', 'op', 'monitor', 'interval=30s'],
    ['pcs', 'constraint', 'colocation', 'add', 'ClusterIP', 'with', 'ClusterFs', 'score=INFINITY'],
    ['pcs', 'constraint', 'order', 'ClusterFs', 'then', 'start', 'ClusterIP'],
  ];
}

/**
 * The web part of the seed's second script: ClusterHttp (our small web server through ocf:heartbeat:anything in
 * place of systemd:httpd, monitored every 10 s rather than 30 s to keep the tests short) after ClusterIP, then
 * ClusterMailTo last, as in the seed (there after ClusterDovecot, here after ClusterHttp).
 */
export function seedWebScript(node = process.execPath): Argv[] {
  return [
    ['pcs', 'resource', 'create', 'ClusterHttp', 'ocf:heartbeat:anything', `binfile=${node}`, `cmdline_options=${WEB_SERVER_JS} ${WEB_ROOT} 80`, 'op', 'monitor', 'interval=10s'],
    ['pcs', 'constraint', 'colocation', 'add', 'ClusterHttp', 'with', 'ClusterIP', 'score=INFINITY'],
    ['pcs', 'constraint', 'order', 'ClusterIP', 'then', 'start', 'ClusterHttp'],
    ['pcs', 'resource', 'create', 'ClusterMailTo', 'ocf:tsha:MailTo', 'email=root', `subject=${SUBJECT}`, 'op', 'monitor', 'interval=30s'],
    ['pcs', 'constraint', 'colocation', 'add', 'ClusterMailTo', 'with', 'ClusterHttp', 'score=INFINITY'],
    ['pcs', 'constraint', 'order', 'ClusterHttp', 'then', 'start', 'ClusterMailTo'],
  ];
}

/** The seed's ClusterPostfix / ClusterPostfixBase pair with ocf:heartbeat:Dummy as the services. */
export function postfixPairScript(): Argv[] {
  return [
    ['pcs', 'resource', 'create', 'ClusterPostfix', 'ocf:heartbeat:Dummy', 'op', 'monitor', 'interval=30s'],
    ['pcs', 'constraint', 'colocation', 'add', 'ClusterPostfix', 'with', 'ClusterHttp', 'score=INFINITY'],
    ['pcs', 'constraint', 'order', 'ClusterHttp', 'then', 'start', 'ClusterPostfix'],
    ['pcs', 'resource', 'create', 'ClusterPostfixBase', 'ocf:heartbeat:Dummy', 'op', 'monitor', 'interval=30s'],
    ['pcs', 'constraint', 'colocation', 'add', 'ClusterPostfixBase', 'with', 'ClusterPostfix', 'score=-INFINITY'],
    ['pcs', 'constraint', 'order', 'ClusterPostfix', 'then', 'start', 'ClusterPostfixBase'],
  ];
}

/** A command line as one would type it. */
export function shellLine(argv: Argv): string {
  return argv.map((w) => (/^[\w@%+=:,./-]+$/.test(w) ? w : `"${w.replace(/(["\\$`])/g, '\\$1')}"`)).join(' ');
}

/**
 * The seed's lab from scratch: two nodes (a lab of that name left over is taken down first), each with the DRBD
 * simulator, a 512 MB replicated disk and a /dev of its own, so that /dev/drbd1 is this lab's alone.
 */
export async function seedLabUp(name: string): Promise<LabHandle> {
  await labDown({ name });
  return labUp({ name, nodes: 2, extensions: [drbdLabExtension([], { sizeMb: 512, privateDev: true })] });
}

/**
 * Formats /dev/drbd1 once, from `node`: DRBD up and Primary there, mkfs.xfs, the web page written, then Secondary
 * and down again, so that Pacemaker finds DRBD stopped everywhere.
 */
export async function prepareData(lab: LabHandle, node: string): Promise<void> {
  const script = [
    'set -e',
    `drbdadm up ${RESOURCE}`,
    `drbdadm primary --force ${RESOURCE}`,
    `mkfs.xfs -f -q ${DEVICE}`,
    'm=$(mktemp -d)',
    `mount -t xfs ${DEVICE} "$m"`,
    'mkdir -p "$m/www"',
    'printf "%s" "$1" > "$m/www/index.html"',
    'umount "$m"',
    'rmdir "$m"',
    `drbdadm secondary ${RESOURCE}`,
    `drbdadm down ${RESOURCE}`,
  ].join('\n');
  await lab.exec(node, ['sh', '-c', script, 'sh', PAGE], { timeoutMs: 60_000 });
}

/**
 * Runs pcs lines on `node` against a copy of the CIB (`pcs -f`), then pushes the configuration at once, as pcs
 * recommends for scripts: the cluster never sees a half-configured stack (ClusterFs before its constraints).
 */
export async function applyPcs(lab: LabHandle, node: string, lines: readonly Argv[]): Promise<void> {
  const file = '/run/tsha-seed-cib.xml';
  await lab.exec(node, ['pcs', 'cluster', 'cib', file], { timeoutMs: 30_000 });
  for (const line of lines) {
    const result = await lab.exec(node, ['pcs', '-f', file, ...line.slice(1)], { timeoutMs: 60_000, reject: false });
    if (result.exitCode !== 0) throw new Error(`\`${shellLine(line)}\` failed: ${(result.stderr || result.stdout).trim()}`);
  }
  await lab.exec(node, ['pcs', 'cluster', 'cib-push', file, '--config'], { timeoutMs: 30_000 });
  await lab.exec(node, ['rm', '-f', file], { reject: false });
}

export type Placement = {
  readonly promoted: readonly string[];
  readonly unpromoted: readonly string[];
  /** Nodes each resource (by id) is active on. */
  readonly on: Readonly<Record<string, readonly string[]>>;
  /** Resources (by id) with an action under way (Starting, Stopping, ...). */
  readonly pending: readonly string[];
  readonly failed: readonly string[];
};

export async function placement(labName: string, from?: string): Promise<Placement | undefined> {
  const status = await clusterStatus({ name: labName, ...(from ? { from } : {}) }).catch(() => undefined);
  if (!status) return undefined;
  const drbd = status.resources.filter((r) => r.id === 'ClusterDrbd' && r.active);
  const on: Record<string, string[]> = {};
  for (const r of status.resources) if (r.active) (on[r.id] ??= []).push(...r.nodes);
  return {
    promoted: drbd.filter((r) => r.role === 'Promoted').flatMap((r) => r.nodes).sort(),
    unpromoted: drbd.filter((r) => r.role === 'Unpromoted').flatMap((r) => r.nodes).sort(),
    on,
    pending: status.resources.filter((r) => r.active && !['Started', 'Promoted', 'Unpromoted'].includes(r.role)).map((r) => r.id),
    failed: status.resources.filter((r) => r.failed).map((r) => r.id),
  };
}

/** The node running the whole stack Promoted, with exactly `peers` Unpromoted; undefined otherwise. */
export function settledOn(p: Placement, peers: readonly string[], extra: readonly string[] = []): string | undefined {
  const node = p.promoted.length === 1 ? p.promoted[0] : undefined;
  if (!node || p.failed.length > 0 || p.pending.length > 0) return undefined;
  if ([...p.unpromoted].sort().join(' ') !== [...peers].sort().join(' ')) return undefined;
  for (const id of [...STACK, ...extra]) if (p.on[id]?.length !== 1 || p.on[id]?.[0] !== node) return undefined;
  return node;
}

/** Waits until the stack runs on one node with `peers` Unpromoted (default: every other node). */
export async function waitSettled(
  lab: LabHandle,
  options: { peers?: readonly string[]; from?: string; timeoutMs?: number; extra?: readonly string[] } = {},
): Promise<{ node: string; placement: Placement }> {
  let last: Placement | undefined;
  try {
    return await waitFor('the stack Started on one node', options.timeoutMs ?? 90_000, async () => {
      last = await placement(lab.plan.name, options.from);
      if (!last) return undefined;
      const node = last.promoted[0];
      const peers = options.peers ?? lab.plan.nodes.map((n) => n.name).filter((n) => n !== node);
      const settled = settledOn(last, peers, options.extra);
      return settled ? { node: settled, placement: last } : undefined;
    }, 250);
  } catch (error) {
    throw new Error(`${(error as Error).message} (last: ${JSON.stringify(last)})`);
  }
}

/** What the client gets from http://CLUSTER_IP/ (undefined: no answer within a second). */
export async function fetchPage(labName: string): Promise<string | undefined> {
  const result = await labExec('client', ['curl', '--silent', '--fail', '--max-time', '1', `http://${CLUSTER_IP}/`], { name: labName, reject: false, timeoutMs: 5_000 });
  return result.exitCode === 0 ? result.stdout : undefined;
}

export function servedBy(page: string | undefined): string | undefined {
  return page ? /Nom du serveur: ([\w.-]+)/.exec(page)?.[1] : undefined;
}

/** Polls the client until `node` answers; returns when (ms since `since`) and the page. */
export async function waitServedBy(labName: string, node: string, since: number, timeoutMs = 90_000): Promise<{ ms: number; page: string }> {
  return waitFor(`the client served by ${node}`, timeoutMs, async () => {
    const page = await fetchPage(labName);
    return servedBy(page) === node ? { ms: Date.now() - since, page: page ?? '' } : undefined;
  }, 100);
}

/** Writes `count` random files and their sha256sum list under /data/<tag> on `node`; returns the list. */
export async function writeDataset(lab: LabHandle, node: string, tag: string, count = 4): Promise<string> {
  const script = [
    'set -e',
    `d=${DATA_DIR}/"$1"`,
    'mkdir -p "$d"',
    `i=0; while [ $i -lt ${count} ]; do i=$((i+1)); head -c 262144 /dev/urandom > "$d/file$i"; done`,
    'cd "$d"',
    'sha256sum file* > SHA256SUMS',
    'sync',
    'cat SHA256SUMS',
  ].join('\n');
  return (await lab.exec(node, ['sh', '-c', script, 'sh', tag], { timeoutMs: 30_000 })).stdout;
}

/** The sha256sum list of /data/<tag> as `node` reads it now (compare with writeDataset's). */
export async function readDataset(lab: LabHandle, node: string, tag: string): Promise<string> {
  const result = await lab.exec(node, ['sh', '-c', `cd ${DATA_DIR}/"$1" && sha256sum file*`, 'sh', tag], { timeoutMs: 30_000, reject: false });
  return result.exitCode === 0 ? result.stdout : `(unreadable: ${result.stderr.trim()})`;
}

/** Failed actions in crm_mon (op and node), as `ClusterIP_monitor_30000 on fo1`. */
export async function failedActions(lab: LabHandle, from: string): Promise<string[]> {
  const status = await clusterStatus({ name: lab.plan.name, from }).catch(() => undefined);
  return (status?.failures ?? []).map((f) => `${f.op} on ${f.node}`);
}

/** Waits until `node`'s DRBD disk is UpToDate and connected (a standby or a crash leaves it behind until resync). */
export async function waitDrbdInSync(plan: LabPlan, node: string, timeoutMs = 60_000): Promise<void> {
  await waitFor(`DRBD on ${node} UpToDate and connected`, timeoutMs, async () => {
    const s = await drbdSnapshot(plan, node);
    return s?.devices[0]?.disk === 'UpToDate' && s.connections[0]?.connection === 'Connected' ? true : undefined;
  }, 250);
}

/** The other node of a two-node lab. */
export function otherNode(lab: LabHandle, node: string): string {
  const other = lab.plan.nodes.find((n) => n.name !== node);
  if (!other) throw new Error(`lab ${lab.plan.name} has no node besides ${node}`);
  return other.name;
}

/**
 * A clean start for a scenario in a two-node lab: every node on, links up, no standby, no failure left, the stack
 * settled and DRBD in sync, the client served. Returns the node running the stack.
 */
export async function resetStack(lab: LabHandle): Promise<string> {
  const name = lab.plan.name;
  const nodes = lab.plan.nodes.map((n) => n.name);
  for (const node of nodes) {
    if (!(await isOn(node, { name }))) await boot(node, { name });
    for (const nic of ['eth1', 'eth2']) await heal(node, nic, { name });
  }
  const from = nodes[0]!;
  await lab.exec(from, ['pcs', 'node', 'unstandby', '--all'], { timeoutMs: 60_000 });
  if ((await failedActions(lab, from)).length > 0) await lab.exec(from, ['pcs', 'resource', 'cleanup'], { timeoutMs: 60_000 });
  const { node } = await waitSettled(lab, { from, timeoutMs: 120_000 });
  await waitDrbdInSync(lab.plan, otherNode(lab, node));
  await waitServedBy(name, node, Date.now(), 30_000);
  return node;
}

/** Standby of the active node: everything moves; unstandby: the node comes back as the passive one. */
export async function standbyFailover(lab: LabHandle, active: string): Promise<{ node: string; servedMs: number }> {
  const next = otherNode(lab, active);
  const pcs = (...args: string[]) => lab.exec(next, ['pcs', ...args], { timeoutMs: 60_000 });
  const at = Date.now();
  await pcs('node', 'standby', active);
  const served = await waitServedBy(lab.plan.name, next, at, 90_000);
  await waitSettled(lab, { from: next, peers: [], timeoutMs: 90_000 });
  await pcs('node', 'unstandby', active);
  await waitSettled(lab, { from: next, peers: [active], timeoutMs: 90_000 });
  await waitDrbdInSync(lab.plan, active);
  return { node: next, servedMs: served.ms };
}

/** How many mails /var/mail/root holds (to tell the new ones later). */
export async function mailCount(): Promise<number> {
  return (await readMailbox()).length;
}

/** The FailOver_Home mails delivered after the first `after` mails of the mailbox. */
export async function newMails(after: number): Promise<Mail[]> {
  return (await readMailbox()).slice(after).filter((m) => (header(m, 'Subject') ?? '').startsWith(SUBJECT));
}

/** Waits until a FailOver_Home mail whose subject matches `pattern` is delivered after the first `after` mails. */
export async function waitMail(after: number, pattern: RegExp, timeoutMs = 30_000): Promise<Mail> {
  return waitFor(`a mail matching ${pattern}`, timeoutMs, async () => (await newMails(after)).find((m) => pattern.test(header(m, 'Subject') ?? '')), 250);
}

/**
 * Samples every node, both at once, for /data mounted (the node's mount table, read from the host) and for DRBD
 * Primary, until stopped: the witness that no two nodes ever hold the disk together. Two reads are never quite
 * simultaneous, so a sample that sees two holders is read again before it counts (a real double mount or split
 * brain does not go away by itself; a handover between two reads does).
 */
export class ExclusionWatcher {
  samples = 0;
  readonly doubleMounts: string[][] = [];
  /** Reads of a running node's mount table that failed: such a sample is not counted, and a test fails on any. */
  readonly unreadable: string[] = [];
  readonly doublePrimaries: string[][] = [];
  private running = true;
  private readonly loop: Promise<void>;

  constructor(private readonly plan: LabPlan, everyMs = 150) {
    this.loop = (async () => {
      while (this.running) {
        await this.sample();
        await new Promise((resolve) => setTimeout(resolve, everyMs));
      }
    })();
  }

  /** The nodes with /data mounted; undefined when a running node's table could not be read. */
  private async mounted(): Promise<string[] | undefined> {
    const found = await Promise.all(
      this.plan.nodes.map(async (n) => {
        // a node that is off (no init) holds nothing
        const pid = await nodeInit(n.name, { name: this.plan.name }).catch(() => undefined);
        if (pid === undefined) return false;
        try {
          return (await readMountTable(`/proc/${pid}/mountinfo`)).some((entry) => entry.mountPoint === DATA_DIR) && n.name;
        } catch (error) {
          // the node went off between the two reads: it holds nothing; anything else is a check not made
          if (!isAlive(pid)) return false;
          this.unreadable.push(`${n.name}: ${String(error)}`);
          return undefined;
        }
      }),
    );
    if (found.includes(undefined)) return undefined;
    return found.filter((n): n is string => typeof n === 'string');
  }

  private async sample(): Promise<void> {
    let [mounts, primaries] = await Promise.all([this.mounted(), primaryNodes(this.plan)]);
    if (mounts && mounts.length > 1) mounts = await this.mounted();
    if (primaries.length > 1) primaries = await primaryNodes(this.plan);
    if (!mounts) return;
    this.samples++;
    if (mounts.length > 1) this.doubleMounts.push(mounts);
    if (primaries.length > 1) this.doublePrimaries.push(primaries);
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }
}
