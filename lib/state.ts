// SPDX-License-Identifier: GPL-2.0-or-later
// State files of pseudo resources (what MailTo's monitor reads): atomic, mode 0600, never through a symlink.
import { constants, promises as fs } from 'node:fs';
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
async function isRealDir(dir: string): Promise<boolean> {
  try {
    return (await fs.lstat(dir)).isDirectory();
  } catch {
    return false;
  }
}

async function ensureDir(dir: string): Promise<void> {
  await fs.mkdir(dir, { recursive: true, mode: 0o755 });
  if (!(await isRealDir(dir))) throw OcfError.generic(`state directory ${dir} is a symlink or not a directory: refusing to write through it`);
}

export async function writeState(dir: string, name: string, content: string): Promise<void> {
  await ensureDir(dir);
  const target = path.join(dir, name);
  const temp = path.join(dir, `.${name}.${process.pid}.tmp`);
  const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;
  const handle = await fs.open(temp, flags, 0o600);
  try {
    await handle.writeFile(content);
    await handle.sync();
  } finally {
    await handle.close();
  }
  // rename replaces a symlink at target rather than following it
  await fs.rename(temp, target);
}

/**
 * The content, or undefined when there is no state file. Anything but a regular file in a real directory (a
 * symlink, a FIFO that would block the read, a symlinked directory) counts as no state file.
 */
export async function readState(dir: string, name: string): Promise<string | undefined> {
  if (!(await isRealDir(dir))) return undefined;
  let handle;
  try {
    handle = await fs.open(path.join(dir, name), constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ELOOP' || code === 'ENXIO') return undefined;
    throw error;
  }
  try {
    if (!(await handle.stat()).isFile()) return undefined;
    return await handle.readFile('utf8');
  } finally {
    await handle.close();
  }
}

/** Removes the state file; nothing is removed through a symlinked directory. */
export async function removeState(dir: string, name: string): Promise<void> {
  if (!(await isRealDir(dir))) return;
  await fs.rm(path.join(dir, name), { force: true });
}

// How often an action waiting for another action of the same resource looks again.
const LOCK_POLL_MS = 20;

/** The process start time (/proc/PID/stat field 22): with the pid, it names one process, never a reused pid. */
export async function processStart(pid: number): Promise<string | undefined> {
  const stat = await fs.readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
  return stat?.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
}

async function readLockOwner(file: string): Promise<string | undefined> {
  try {
    const handle = await fs.open(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    try {
      return (await handle.stat()).isFile() ? await handle.readFile('utf8') : undefined;
    } finally {
      await handle.close();
    }
  } catch {
    return undefined;
  }
}

/**
 * One action at a time per resource instance, as Pacemaker itself schedules them (a start racing a stop of the
 * same address would leave either in a half state): a lock file in the state directory names its holder by pid
 * and start time. A holder that is gone (killed, or a reused pid) is no holder; the next action takes over.
 * Waits within the deadline, then fails with 1. Where the state directory cannot be used (not root, a symlinked
 * HA_RSCTMP) nothing is locked: the action itself says what it can do there. Returns the release.
 */
export async function lockInstance(dir: string, name: string, deadline: Deadline): Promise<() => Promise<void>> {
  const unlocked = async (): Promise<void> => {};
  try {
    await ensureDir(dir);
  } catch {
    return unlocked;
  }
  const file = path.join(dir, `.${name}.lock`);
  const me = `${process.pid} ${(await processStart(process.pid)) ?? ''}\n`;
  for (;;) {
    try {
      const handle = await fs.open(file, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
      try {
        await handle.writeFile(me);
      } finally {
        await handle.close();
      }
      return async () => {
        if ((await readLockOwner(file)) === me) await fs.rm(file, { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') return unlocked;
    }
    const owner = await readLockOwner(file);
    const [pid, started] = (owner ?? '').trim().split(' ');
    const alive = owner !== undefined && Number(pid) > 0 && (await processStart(Number(pid))) === started;
    if (!alive) {
      // the holder is gone: take its place (unless another waiter did already)
      if ((await readLockOwner(file)) === owner) await fs.rm(file, { force: true });
      continue;
    }
    if (!(await sleepWithin(deadline, LOCK_POLL_MS))) throw OcfError.generic(`another action of this resource is still running (pid ${pid})`);
  }
}

/** Whether an action of this instance holds its lock (lockInstance) right now. */
export async function instanceLocked(dir: string, name: string): Promise<boolean> {
  const [pid, started] = ((await readLockOwner(path.join(dir, `.${name}.lock`))) ?? '').trim().split(' ');
  return Number(pid) > 0 && (await processStart(Number(pid))) === started;
}
