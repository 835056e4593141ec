// SPDX-License-Identifier: GPL-2.0-or-later
// State files of pseudo resources (what MailTo's monitor reads): atomic, mode 0600, never through a symlink.
// Synchronous calls: each is one system call on a local file, and node:fs's promises would load a dozen modules
// (readline, watchers, rimraf) before every action that takes the lock (measured in scripts/bench/perf-probe.ts).
import * as fs from 'node:fs';
import { constants } from 'node:fs';
import path from 'node:path';
import { sleepWithin, type Deadline } from './deadline.js';
import { OcfError } from './ocf/errors.js';

export const DEFAULT_STATE_DIR = '/run/resource-agents';

export function stateDir(env: NodeJS.ProcessEnv): string {
  return env.HA_RSCTMP || DEFAULT_STATE_DIR;
}

/** A file name from an agent and an instance id; anything outside [A-Za-z0-9._:-] becomes `_`. */
export function stateFileName(agent: string, instance: string): string {
  return `${agent}_${instance}`.replace(/[^A-Za-z0-9._:-]/g, '_');
}

/**
 * Whether dir is a real directory. A symlink in its place is refused: whoever placed it would choose where the
 * agent writes and what it reads as its state.
 */
function isRealDir(dir: string): boolean {
  try {
    return fs.lstatSync(dir).isDirectory();
  } catch {
    return false;
  }
}

function ensureDir(dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
  if (!isRealDir(dir)) throw OcfError.generic(`state directory ${dir} is a symlink or not a directory: refusing to write through it`);
}

export async function writeState(dir: string, name: string, content: string): Promise<void> {
  ensureDir(dir);
  const target = path.join(dir, name);
  const temp = path.join(dir, `.${name}.${process.pid}.tmp`);
  const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;
  const fd = fs.openSync(temp, flags, 0o600);
  try {
    fs.writeFileSync(fd, content);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  // rename replaces a symlink at target rather than following it
  fs.renameSync(temp, target);
}

/**
 * The content, or undefined when there is no state file. Anything but a regular file in a real directory (a
 * symlink, a FIFO that would block the read, a symlinked directory) counts as no state file.
 */
export async function readState(dir: string, name: string): Promise<string | undefined> {
  if (!isRealDir(dir)) return undefined;
  let fd;
  try {
    fd = fs.openSync(path.join(dir, name), constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ELOOP' || code === 'ENXIO') return undefined;
    throw error;
  }
  try {
    if (!fs.fstatSync(fd).isFile()) return undefined;
    return fs.readFileSync(fd, 'utf8');
  } finally {
    fs.closeSync(fd);
  }
}

/** Removes the state file; nothing is removed through a symlinked directory. */
export async function removeState(dir: string, name: string): Promise<void> {
  if (!isRealDir(dir)) return;
  unlinkIfThere(path.join(dir, name));
}

// How often an action waiting for another action of the same resource looks again.
const LOCK_POLL_MS = 20;

/** /proc/PID/stat's fields after the command name (field 3, the state, first), or undefined for no such process. */
function statFields(pid: number): string[] | undefined {
  let stat: string;
  try {
    stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/** The process start time (/proc/PID/stat field 22): with the pid, it names one process, never a reused pid. */
export function processStart(pid: number): string | undefined {
  return statFields(pid)?.[19];
}

/**
 * Whether the process recorded as `pid` and `started` (processStart) still runs: a reused pid is another process,
 * and a killed one nobody reaped yet (a zombie) keeps its /proc entry and start time but holds nothing.
 */
export function isLiveHolder(pid: number, started: string | undefined): boolean {
  const fields = pid > 0 && started ? statFields(pid) : undefined;
  return fields !== undefined && fields[0] !== 'Z' && fields[0] !== 'X' && fields[19] === started;
}

/** fs.rmSync({ force: true }) of one file, without loading rimraf. */
function unlinkIfThere(file: string): void {
  try {
    fs.unlinkSync(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}

function readLockOwner(file: string): string | undefined {
  try {
    const fd = fs.openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    try {
      return fs.fstatSync(fd).isFile() ? fs.readFileSync(fd, 'utf8') : undefined;
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return undefined;
  }
}

/** What names this process in an owner file: its pid and start time (and a mark, for a holder that yields). */
export function ownerLine(mark?: string): string {
  return `${process.pid} ${processStart(process.pid) ?? ''}${mark ? ` ${mark}` : ''}\n`;
}

/** The fields of an owner line (ownerLine): pid, start time, and the mark of a holder that yields. */
export function parseOwnerLine(text: string | undefined): { pid: number; started: string; mark: string | undefined } {
  const [pid, started = '', mark] = (text ?? '').trim().split(' ');
  return { pid: Number(pid), started, mark };
}

/** The live process an owner file names, or undefined (no file, a holder gone, a reused pid). */
export function liveOwner(file: string): number | undefined {
  const { pid, started } = parseOwnerLine(readLockOwner(file));
  return isLiveHolder(pid, started) ? pid : undefined;
}

/**
 * One try at an owner file (the instance lock, the watch daemon's pid file): created exclusively with `me`, or
 * taken over from a holder that is gone. 'held' while a live process holds it; 'no-folder' when its folder is
 * gone. Other errors are thrown.
 */
export function claimOwnerFile(file: string, me: string, mode: number): 'claimed' | 'held' | 'no-folder' {
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      const fd = fs.openSync(file, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, mode);
      try {
        fs.writeFileSync(fd, me);
      } finally {
        fs.closeSync(fd);
      }
      return 'claimed';
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return 'no-folder';
      if (code !== 'EEXIST') throw error;
    }
    const owner = readLockOwner(file);
    const { pid, started } = parseOwnerLine(owner);
    if (isLiveHolder(pid, started)) return 'held';
    // the holder is gone: take its place (unless another claimant did already)
    if (readLockOwner(file) === owner) unlinkIfThere(file);
  }
  return 'held';
}

/**
 * One action at a time per resource instance, as Pacemaker itself schedules them (a start racing a stop of the
 * same address would leave either in a half state): a lock file in the state directory names its holder by pid
 * and start time. A holder that is gone (killed, or a reused pid) is no holder; the next action takes over.
 * A holder that yields (the event watch's confirming monitor, lockInstanceIfFree) is ended with SIGTERM: the
 * cluster's own action must not wait for a check that the action makes anyway.
 * Waits within the deadline, then fails with 1. Where the state directory cannot be used (not root, a symlinked
 * HA_RSCTMP) nothing is locked: the action itself says what it can do there. Returns the release.
 */
export async function lockInstance(dir: string, name: string, deadline: Deadline): Promise<() => Promise<void>> {
  const file = instanceLockFile(dir, name);
  if (!file) return unlocked;
  const me = ownerLine();
  let signalled = '';
  for (;;) {
    const release = claimLock(file, me);
    if (release) return release;
    const text = readLockOwner(file) ?? '';
    const holder = parseOwnerLine(text);
    if (holder.mark === YIELDS && text !== signalled && isLiveHolder(holder.pid, holder.started)) {
      signalled = text;
      try {
        process.kill(holder.pid, 'SIGTERM');
      } catch {
        // gone meanwhile
      }
    }
    if (!(await sleepWithin(deadline, LOCK_POLL_MS))) {
      throw OcfError.generic(`another action of this resource is still running (pid ${liveOwner(file) ?? 'gone'})`);
    }
  }
}

/**
 * The instance lock for a check that yields (the event watch's confirming monitor): taken only when free, and
 * marked so that an action of the cluster that comes meanwhile ends this holder instead of waiting for it.
 * undefined when another action holds it.
 */
export function lockInstanceIfFree(dir: string, name: string): (() => Promise<void>) | undefined {
  const file = instanceLockFile(dir, name);
  return file ? claimLock(file, ownerLine(YIELDS)) : unlocked;
}

const YIELDS = 'yields';
const unlocked = async (): Promise<void> => {};
const lockPath = (dir: string, name: string): string => path.join(dir, `.${name}.lock`);

/** The instance's lock file, its folder made; undefined where the state directory cannot be used. */
function instanceLockFile(dir: string, name: string): string | undefined {
  try {
    ensureDir(dir);
  } catch {
    return undefined;
  }
  return lockPath(dir, name);
}

/** One try at the lock file as `me`: its release, or undefined while a live holder has it. An error locks nothing. */
function claimLock(file: string, me: string): (() => Promise<void>) | undefined {
  let outcome: ReturnType<typeof claimOwnerFile>;
  try {
    outcome = claimOwnerFile(file, me, 0o600);
  } catch {
    return unlocked;
  }
  if (outcome === 'held') return undefined;
  if (outcome === 'no-folder') return unlocked;
  return async () => {
    if (readLockOwner(file) === me) unlinkIfThere(file);
  };
}

/** Whether an action of this instance holds its lock (lockInstance) right now. */
export async function instanceLocked(dir: string, name: string): Promise<boolean> {
  return liveOwner(lockPath(dir, name)) !== undefined;
}
