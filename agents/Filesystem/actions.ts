// SPDX-License-Identifier: GPL-2.0-or-later
import { promises as fs, type BigIntStats } from 'node:fs';
import path from 'node:path';
import { OcfExit, type OcfExitCode } from '../../lib/ocf/exit-codes.js';
import { OcfError, errorMessage } from '../../lib/ocf/errors.js';
import { createDeadline, sleepWithin, type Deadline } from '../../lib/deadline.js';
import { createExec, firstLine, type Exec } from '../../lib/exec.js';
import { byTagPath, describeSpec } from './device.js';
import { findHolders, isZombieStat, type Holder } from './holders.js';
import { isLocalOnly, isNetwork, kernelName, parseProcFilesystems, sameType, wantsFsck } from './fstypes.js';
import { entryDev, isWithin, mountsAt, mountsBelow, sameMount, topMountAt, type MountEntry } from './mountinfo.js';
import { liveProc, readMountTable, selfAndAncestors, splitDev } from './proc.js';
import type { Config, Ctx } from './params.js';

const SUPPORTED_DEPTHS = new Set([0, 10, 20]);
// heartbeat's fast_stop budget per unmount.
const FAST_STOP_MS = 6000;
// How often a mount that fails with EBUSY is tried, and how far apart.
const MOUNT_ATTEMPTS = 5;
const MOUNT_RETRY_MS = 500;
// A cap on side helpers (blkid, modprobe), so that a hung one cannot eat the whole operation.
const HELPER_CAP_MS = 5000;

/** What the configured device is on this node right now. */
type Target = {
  /** `major:minor` of the block device (or of the bind source's filesystem). */
  readonly dev: string | undefined;
  /** Names the mount table may show as the source. */
  readonly sources: ReadonlySet<string>;
  /** What to hand to mount(8); undefined when the device cannot be found. */
  readonly mountSource: string | undefined;
};

async function statOrUndefined(file: string): Promise<BigIntStats | undefined> {
  try {
    return await fs.stat(file, { bigint: true });
  } catch {
    return undefined;
  }
}

async function realpathOrSelf(file: string): Promise<string> {
  try {
    return await fs.realpath(file);
  } catch {
    return file;
  }
}

/** UUID= / LABEL= through udev's links, else libblkid (there is no udev in containers). */
async function resolveTag(ctx: Ctx, spec: Config['spec']): Promise<string | undefined> {
  const link = byTagPath(spec);
  if (link && (await statOrUndefined(link))) return realpathOrSelf(link);
  if (spec.kind !== 'uuid' && spec.kind !== 'label') return undefined;
  let result;
  try {
    result = await ctx.exec.run('blkid', [spec.kind === 'uuid' ? '-U' : '-L', spec.value], { timeoutMs: HELPER_CAP_MS });
  } catch (error) {
    ctx.log.info('cannot resolve device tag', { device: describeSpec(spec), reason: errorMessage(error) });
    return undefined;
  }
  // a hung blkid tells nothing: not "no such device" (5 on start), nor "not mounted" (0 on a stop)
  if (result.timedOut) throw OcfError.generic(`cannot resolve ${describeSpec(spec)}: \`${result.command}\` timed out`);
  const device = result.ok ? result.stdout.trim().split('\n')[0] : undefined;
  return device || undefined;
}

async function resolveTarget(ctx: Ctx, s: Config): Promise<Target> {
  const spec = s.spec;
  if (spec.kind === 'source') return { dev: undefined, sources: new Set([spec.source, spec.source.replace(/\/+$/, '')]), mountSource: spec.source };
  if (s.cls === 'bind' && spec.kind === 'path') {
    const st = await statOrUndefined(spec.path);
    return { dev: st ? splitDev(st.dev) : undefined, sources: new Set(), mountSource: st ? spec.path : undefined };
  }
  const file = spec.kind === 'path' ? spec.path : await resolveTag(ctx, spec);
  if (file === undefined) return { dev: undefined, sources: new Set([describeSpec(spec)]), mountSource: undefined };
  const st = await statOrUndefined(file);
  const real = await realpathOrSelf(file);
  const sources = new Set([file, real]);
  if (!st) return { dev: undefined, sources, mountSource: undefined };
  // A block device is known by its number whatever name it is mounted under (symlink, by-uuid, dm name).
  return { dev: st.isBlockDevice() ? splitDev(st.rdev) : undefined, sources, mountSource: file };
}

function isOurs(entry: MountEntry, target: Target, s: Config): boolean {
  if (s.cls === 'bind') return target.dev !== undefined && entryDev(entry) === target.dev;
  if (s.cls === 'block') {
    // btrfs reports an anonymous 0:N device, so the source name is the fallback.
    if (target.dev !== undefined && entry.major !== 0 && entryDev(entry) === target.dev) return true;
    return target.sources.has(entry.source);
  }
  return target.sources.has(entry.source) && sameType(s.fstype, entry.fstype);
}

type Located = {
  /** The mount point as the mount table spells it (symlinks resolved). */
  readonly directory: string;
  readonly table: MountEntry[];
  readonly ours: MountEntry | undefined;
};

/**
 * Finds the directory in the mount table. The configured path is looked up first, without touching the
 * filesystem (a dead NFS server hangs realpath); only when nothing is there is a symlinked path resolved.
 */
async function locate(ctx: Ctx, target: Target): Promise<Located> {
  const table = await readMountTable();
  const find = (dir: string) => mountsAt(table, dir).reverse().find((e) => isOurs(e, target, ctx.config));
  const configured = ctx.params.directory;
  let ours = find(configured);
  let directory = configured;
  if (!ours && topMountAt(table, configured) === undefined) {
    const real = await realpathOrSelf(configured);
    if (real !== configured) {
      directory = real;
      ours = find(real);
    }
  }
  return { directory, table, ours };
}

function describeMount(entry: MountEntry): string {
  return `${entry.source} (${entry.fstype})`;
}

// ---------------------------------------------------------------------------------------------------------------
// validate

export async function validate(ctx: Ctx): Promise<void> {
  const s = ctx.config;
  if (ctx.action === 'validate-all' && !SUPPORTED_DEPTHS.has(ctx.checkLevel)) {
    throw OcfError.configured(`unsupported monitor depth ${ctx.checkLevel} (supported: 0, 10, 20)`);
  }
  if (ctx.meta.isClone && isLocalOnly(s.fstype) && !ctx.params.force_clones) {
    throw OcfError.configured(`${s.fstype} on ${ctx.params.device} is not cluster-aware and must not run as a clone (set force_clones=true to override)`);
  }
  if (ctx.action !== 'validate-all' || ctx.checkLevel < 10) return;
  // Level 10 looks at this node, still without changing anything.
  await requireKernelType(s, false, ctx);
  if (s.cls === 'block' || s.cls === 'bind') {
    const target = await resolveTarget(ctx, s);
    if (target.mountSource === undefined) throw OcfError.installed(`device ${ctx.params.device} does not exist`);
  }
  const st = await statOrUndefined(ctx.params.directory);
  if (st && !st.isDirectory()) throw OcfError.args(`directory ${ctx.params.directory} exists and is not a directory`);
}

async function requireKernelType(s: Config, load: boolean, ctx: Ctx): Promise<void> {
  const name = kernelName(s.fstype);
  if (name === undefined) return;
  const known = async () => parseProcFilesystems(await fs.readFile('/proc/filesystems', 'utf8')).has(name);
  if (await known()) return;
  if (load) {
    // The type may be a module not loaded yet (nfs, cifs); a missing modprobe is not an error in itself.
    let timedOut = false;
    try {
      timedOut = (await ctx.exec.run('modprobe', ['-q', '--', name], { timeoutMs: HELPER_CAP_MS })).timedOut;
    } catch (error) {
      ctx.log.info('modprobe not run', { reason: errorMessage(error) });
    }
    if (await known()) return;
    // the module may well exist: a hung modprobe is a failure here, not a type missing from this node (5)
    if (timedOut) throw OcfError.generic(`filesystem type ${s.fstype} not loaded: \`modprobe ${name}\` timed out`);
  }
  throw OcfError.installed(`filesystem type ${s.fstype} is not supported by the kernel (not in /proc/filesystems)`);
}

// ---------------------------------------------------------------------------------------------------------------
// start

export async function start(ctx: Ctx): Promise<OcfExitCode> {
  const s = ctx.config;
  const target = await resolveTarget(ctx, s);
  const where = await locate(ctx, target);
  if (where.ours) {
    ctx.log.info('already mounted', { device: ctx.params.device, directory: where.directory });
    return OcfExit.SUCCESS;
  }
  const dir = where.directory;
  const occupant = where.table.find((e) => isWithin(e.mountPoint, dir));
  if (occupant) {
    const how = occupant.mountPoint === dir ? 'on' : `under it, on ${occupant.mountPoint}`;
    throw OcfError.configured(`${describeMount(occupant)} is already mounted ${how}: refusing to mount ${ctx.params.device} on ${dir}`);
  }
  await requireKernelType(s, true, ctx);
  if (target.mountSource === undefined) {
    throw OcfError.installed(s.cls === 'bind' ? `bind source ${ctx.params.device} does not exist` : `device ${ctx.params.device} does not exist`);
  }
  if (s.cls === 'block') {
    const st = await statOrUndefined(target.mountSource);
    if (st && !st.isBlockDevice() && !s.options.includes('loop')) {
      throw OcfError.installed(`${ctx.params.device} is not a block device`);
    }
    const elsewhere = where.table.filter((e) => isOurs(e, target, s));
    if (elsewhere.length > 0) ctx.log.warn('device already mounted elsewhere on this node', { mounts: elsewhere.map((e) => e.mountPoint) });
  }

  try {
    await fs.mkdir(dir, { recursive: true });
  } catch (error) {
    throw OcfError.generic(`cannot create mount point ${dir}: ${errorMessage(error)}`);
  }
  const dirStat = await statOrUndefined(dir);
  if (!dirStat?.isDirectory()) throw OcfError.args(`mount point ${dir} is not a directory`);

  if (wantsFsck(s.fstype, ctx.params.run_fsck)) await runFsck(ctx, s, target.mountSource);

  // `--`: a tmpfs source such as `--bind` is a name, not an option of mount(8)
  const args =
    s.cls === 'bind'
      ? ['-o', [s.recursiveBind ? 'rbind' : 'bind', ...s.options].join(','), '--', target.mountSource, dir]
      : ['-t', s.fstype, ...(s.options.length > 0 ? ['-o', s.options.join(',')] : []), '--', target.mountSource, dir];
  for (let attempt = 1; ; attempt++) {
    const result = await ctx.exec.run('mount', args);
    if (result.ok) break;
    const detail = result.timedOut ? 'timed out' : firstLine(result.stderr) || `rc ${result.exitCode}`;
    // EBUSY passes: udev's blkid probe right after a DRBD promotion, or a mount namespace that is just going
    // away and still holds the superblock with other options.
    const transient = !result.timedOut && /busy/i.test(result.stderr) && attempt < MOUNT_ATTEMPTS;
    if (!transient || !(await sleepWithin(ctx.deadline, MOUNT_RETRY_MS))) throw OcfError.generic(`cannot mount ${ctx.params.device} on ${dir}: ${detail}`);
    ctx.log.info('mount busy, retrying', { attempt, detail });
  }
  const after = await locate(ctx, target);
  if (!after.ours) throw OcfError.generic(`mount of ${ctx.params.device} on ${dir} succeeded but the mount table does not show it`);
  ctx.log.info('mounted', { device: ctx.params.device, directory: dir, fstype: s.fstype });
  return OcfExit.SUCCESS;
}

async function runFsck(ctx: Ctx, s: Config, device: string): Promise<void> {
  const result = await ctx.exec.run('fsck', ['-p', '-t', s.fstype, device]);
  // fsck(8): 0 clean, 1 errors corrected, 2 reboot advised (not for an unmounted fs); 4 and up: not fixed.
  if (result.timedOut || result.exitCode === undefined || result.exitCode >= 4) {
    const detail = result.timedOut ? 'timed out' : `rc ${result.exitCode}${firstLine(result.stdout) ? `: ${firstLine(result.stdout)}` : ''}`;
    throw OcfError.generic(`fsck of ${device} failed (${detail}); repair it by hand before starting`);
  }
  if (result.exitCode !== 0) ctx.log.warn('fsck corrected errors', { device, rc: result.exitCode });
}

// ---------------------------------------------------------------------------------------------------------------
// monitor

export async function monitor(ctx: Ctx): Promise<OcfExitCode> {
  const s = ctx.config;
  // the pipeline turns what a probe finds wrong with the environment (5, 6) into 7
  return monitorMounted(ctx, s);
}

async function monitorMounted(ctx: Ctx, s: Config): Promise<OcfExitCode> {
  const target = await resolveTarget(ctx, s);
  const where = await locate(ctx, target);
  if (!where.ours) {
    const other = topMountAt(where.table, where.directory);
    if (other && !ctx.isProbe) {
      throw OcfError.generic(`${describeMount(other)} is mounted on ${where.directory} instead of ${ctx.params.device}`);
    }
    return OcfExit.NOT_RUNNING;
  }
  // Only 10 and 20 go deeper; any other level is checked as depth 0 (validate-all reports it).
  if (ctx.checkLevel === 10 || ctx.checkLevel === 20) await readDevice(ctx, s, target);
  if (ctx.checkLevel === 20) await writeStatusFile(ctx, s, where.directory);
  return OcfExit.SUCCESS;
}

/** Depth 10: one direct (uncached) read of the device proves it still answers. */
async function readDevice(ctx: Ctx, s: Config, target: Target): Promise<void> {
  if (s.cls !== 'block' || target.mountSource === undefined) {
    ctx.log.debug('depth 10 read skipped: no block device', { fstype: s.fstype });
    return;
  }
  const result = await ctx.exec.run('dd', [`if=${target.mountSource}`, 'of=/dev/null', 'bs=4096', 'count=1', 'iflag=direct']);
  if (!result.ok) {
    throw OcfError.generic(`cannot read ${target.mountSource}: ${result.timedOut ? 'timed out' : firstLine(result.stderr) || `rc ${result.exitCode}`}`);
  }
}

function statusFilePath(ctx: Ctx, dir: string): string {
  const clone = ctx.meta.clone === undefined ? '' : `_${ctx.meta.clone}`;
  const name = `${ctx.params.statusfile_prefix}${ctx.instance.replace(/[/:]/g, '_')}${clone}_${ctx.node}`;
  return path.join(dir, name);
}

/** Depth 20: a 4 KiB block written synchronously and read back, through commands that the deadline can kill. */
async function writeStatusFile(ctx: Ctx, s: Config, dir: string): Promise<void> {
  const file = statusFilePath(ctx, dir);
  const direct = s.cls === 'block';
  const stamp = `${ctx.instance} ${ctx.node} ${new Date().toISOString()} ${process.pid}\n`;
  const block = stamp.padEnd(4096, '.');
  const fail = (what: string, detail: string) => {
    throw OcfError.generic(`status file ${file}: ${what} failed: ${detail}`);
  };
  const mk = await ctx.exec.run('mkdir', ['-p', path.dirname(file)]);
  if (!mk.ok) fail('mkdir', firstLine(mk.stderr) || 'timed out');
  const write = await ctx.exec.run('dd', [`of=${file}`, 'bs=4096', 'count=1', direct ? 'oflag=direct,sync' : 'oflag=sync', 'status=none'], { input: block });
  if (!write.ok) fail('write', firstLine(write.stderr) || 'timed out');
  const read = await ctx.exec.run('dd', [`if=${file}`, 'bs=4096', 'count=1', ...(direct ? ['iflag=direct'] : []), 'status=none']);
  if (!read.ok) fail('read', firstLine(read.stderr) || 'timed out');
  if (read.stdout !== block) fail('read back', 'content differs from what was written');
}

// ---------------------------------------------------------------------------------------------------------------
// stop

// What stop meets of a broken environment (a missing umount, say) the pipeline answers with 1: see the agent's
// stopWhenBroken.
export async function stop(ctx: Ctx): Promise<OcfExitCode> {
  const s = ctx.config;
  const target = await resolveTarget(ctx, s);
  const where = await locate(ctx, target);
  if (!where.ours) {
    const other = topMountAt(where.table, where.directory);
    if (other) ctx.log.info('not mounted here; leaving the other mount alone', { mounted: describeMount(other), directory: where.directory });
    return OcfExit.SUCCESS;
  }
  const dir = where.directory;
  const deadline: Deadline = ctx.params.fast_stop ? earlier(ctx.deadline, FAST_STOP_MS) : ctx.deadline;
  const exec = deadline === ctx.deadline ? ctx.exec : createExec(deadline, ctx.log);
  const cap = () => Math.max(1, Math.floor(deadline.remaining() / 4));

  // Best effort: the status file goes with the resource; data reaches the disk before anything is killed.
  await bestEffort(ctx, () => exec.run('rm', ['-f', '--', statusFilePath(ctx, dir)], { timeoutMs: cap() }));
  await bestEffort(ctx, () => exec.run('sync', ['-f', dir], { timeoutMs: cap() }));

  // Deepest submounts first (what is mounted below us keeps us busy), then the mount itself.
  const below = mountsBelow(where.table, dir);
  for (const sub of below) await unmountOne(ctx, s, exec, deadline, sub);
  // only unmounting submounts changed the table since it was read
  const now = below.length > 0 ? await locate(ctx, target) : where;
  if (now.ours) await unmountOne(ctx, s, exec, deadline, now.ours);

  const final = await locate(ctx, target);
  if (final.ours) throw OcfError.generic(`${ctx.params.device} is still mounted on ${dir}`);
  if (s.cls === 'block' && target.dev !== undefined) await releaseOtherNamespaces(ctx, s, exec, deadline, target.dev);
  ctx.log.info('unmounted', { device: ctx.params.device, directory: dir });
  return OcfExit.SUCCESS;
}

function earlier(deadline: Deadline, ms: number): Deadline {
  const own = createDeadline(ms, Date.now());
  return own.expiresAt < deadline.expiresAt ? own : deadline;
}

async function bestEffort(ctx: Ctx, fn: () => Promise<unknown>): Promise<void> {
  try {
    await fn();
  } catch (error) {
    ctx.log.info('skipped', { reason: errorMessage(error) });
  }
}

/** A mount namespace other than ours, reached through one of its processes. */
type Namespace = { readonly id: string; readonly pid: number };

async function tableOf(ns: Namespace | undefined): Promise<MountEntry[] | undefined> {
  if (!ns) return readMountTable();
  // the namespace's last process may be gone already
  return readMountTable(`/proc/${ns.pid}/mountinfo`).catch(() => undefined);
}

/** umount until the mount is gone; when busy, signal the processes that hold it (if allowed) in rounds. */
async function unmountOne(ctx: Ctx, s: Config, exec: Exec, deadline: Deadline, entry: MountEntry, ns?: Namespace): Promise<void> {
  const mountPoint = entry.mountPoint;
  const where = ns ? `${mountPoint} (mount namespace of pid ${ns.pid})` : mountPoint;
  const rounds = [...ctx.params.term_signals, ...ctx.params.kill_signals];
  const signalDelayMs = ctx.params.signal_delay * 1000;
  let round = 0;
  let lastError = '';
  for (;;) {
    const umount = [...(isNetwork(entry.fstype) ? ['-f'] : []), mountPoint];
    let result;
    try {
      result = ns ? await exec.run('nsenter', [`--mount=/proc/${ns.pid}/ns/mnt`, '--', 'umount', ...umount]) : await exec.run('umount', umount);
    } catch (error) {
      throw OcfError.generic(`cannot unmount ${where}: ${errorMessage(error)}${lastError ? ` (${lastError})` : ''}`);
    }
    const table = await tableOf(ns);
    if (!table || !table.some((e) => sameMount(e, entry))) return;
    lastError = result.timedOut ? 'umount timed out' : firstLine(result.stderr) || `umount rc ${result.exitCode}`;
    const busy = /busy/i.test(result.stderr);
    if (!busy) throw OcfError.generic(`cannot unmount ${where}: ${lastError}`);
    if (deadline.expired()) throw OcfError.generic(`cannot unmount ${where} in time: ${lastError}`);

    const holders = await findHolders(liveProc, {
      mounts: table,
      targets: [entry],
      exclude: await selfAndAncestors(),
      matchByDevice: s.cls !== 'bind',
      ...(ns ? { namespace: ns.id, onlyNamespace: true } : {}),
    });
    if (!ctx.params.force_unmount) {
      const who = holders.length > 0 ? `; held by ${holders.map((h) => `${h.pid} (${h.command.slice(0, 24)})`).join(', ')}` : '';
      throw OcfError.generic(`cannot unmount ${where}: target is busy and force_unmount=false, no process signalled${who}`.slice(0, 300));
    }
    const signal = rounds[Math.min(round, rounds.length - 1)] ?? 'SIGKILL';
    round++;
    if (holders.length === 0) {
      // Something mounted below it since we looked (or in that namespace): those go first.
      const below = mountsBelow(table, mountPoint);
      if (below.length > 0) {
        for (const child of below) await unmountOne(ctx, s, exec, deadline, child, ns);
        continue;
      }
      // Busy without a process (a loop device or an export on it): wait and retry while time is left.
      ctx.log.warn('filesystem busy but no process holds it', { mountPoint: where });
      if (!(await sleepWithin(deadline, Math.max(200, signalDelayMs)))) throw OcfError.generic(`cannot unmount ${where}: ${lastError}, no process found holding it`);
      continue;
    }
    for (const holder of holders) {
      ctx.log.warn('signalling a process that holds the filesystem', { mountPoint: where, holder: holder.pid, signal, uses: holder.reasons, command: holder.command });
      try {
        process.kill(holder.pid, signal);
      } catch {
        // gone already
      }
    }
    await waitForExit(deadline, holders, signalDelayMs);
  }
}

/**
 * Copies of the mount in other mount namespaces (`ip netns exec`, unshare, containers created while it was
 * mounted, on a node whose / is not shared) keep the filesystem alive after our umount: the device stays busy
 * (DRBD cannot demote) and the log is not written back. Each namespace that still shows the device gets it
 * unmounted too, with the same rules for busy processes.
 */
async function releaseOtherNamespaces(ctx: Ctx, s: Config, exec: Exec, deadline: Deadline, dev: string): Promise<void> {
  const own = await liveProc.readlink('/proc/self/ns/mnt');
  const namespaces = new Map<string, number>();
  for (const pid of await liveProc.pids()) {
    const id = await liveProc.readlink(`/proc/${pid}/ns/mnt`);
    if (id !== undefined && id !== own && !namespaces.has(id)) namespaces.set(id, pid);
  }
  for (const [id, pid] of namespaces) {
    const ns = { id, pid };
    const table = (await tableOf(ns)) ?? [];
    const copies = table.filter((e) => e.major !== 0 && entryDev(e) === dev);
    copies.sort((a, b) => b.mountPoint.length - a.mountPoint.length);
    for (const copy of copies) {
      ctx.log.warn('filesystem still mounted in another mount namespace; unmounting it there', { namespace: id, nsPid: pid, mountPoint: copy.mountPoint });
      for (const child of mountsBelow(table, copy.mountPoint)) await unmountOne(ctx, s, exec, deadline, child, ns);
      await unmountOne(ctx, s, exec, deadline, copy, ns);
    }
  }
}

/** Until every signalled process has exited (zombies hold nothing), signal_delay has passed, or time is up. */
async function waitForExit(deadline: Deadline, holders: readonly Holder[], delayMs: number): Promise<void> {
  const until = Date.now() + delayMs;
  for (;;) {
    let alive = 0;
    for (const holder of holders) {
      const stat = await liveProc.readFile(`/proc/${holder.pid}/stat`);
      if (stat !== undefined && !isZombieStat(stat)) alive++;
    }
    if (alive === 0 || Date.now() >= until) return;
    if (!(await sleepWithin(deadline, Math.min(50, until - Date.now())))) return;
  }
}
