// SPDX-License-Identifier: GPL-2.0-or-later
// Real block devices for tests and benchmarks: a sparse image file in a temporary directory, attached to a free
// loop device, optionally formatted. Everything is unmounted, detached and removed by dispose() (call it from
// after/afterEach hooks, or a finally).
import { mkdtemp, rm, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { entryDev, unmountOrder } from '../../agents/Filesystem/mountinfo.js';
import { readMountTable } from '../../agents/Filesystem/proc.js';

export type LoopOptions = {
  /** Image size in MiB (sparse); xfs needs at least 300. */
  readonly sizeMiB?: number;
  /** mkfs type: xfs, ext4, ext3, ext2, btrfs; none leaves the device blank. */
  readonly fstype?: string;
  readonly label?: string;
  /** Extra mkfs arguments. */
  readonly mkfsArgs?: readonly string[];
};

export type LoopDevice = {
  readonly device: string;
  readonly image: string;
  readonly fstype: string | undefined;
  /** The filesystem UUID after mkfs (blkid), if formatted. */
  readonly uuid: string | undefined;
  /** Unmounts every mount of the device, detaches it, removes the image. Safe to call twice. */
  dispose(): Promise<void>;
};

// The minimum sizes mkfs accepts (xfsprogs 6: 300 MiB).
const MIN_SIZE: Record<string, number> = { xfs: 300, btrfs: 120 };

function mkfsArgs(fstype: string, device: string, options: LoopOptions): string[] {
  const label = options.label ? ['-L', options.label] : [];
  // -f / -F: the image may hold an old filesystem signature.
  const quiet = fstype === 'xfs' || fstype === 'btrfs' ? ['-q', '-f'] : ['-q', '-F'];
  return [...quiet, ...label, ...(options.mkfsArgs ?? []), device];
}

/** `major:minor` of a block device, from sysfs. */
export async function blockDevNumber(device: string): Promise<string> {
  return (await readFile(`/sys/class/block/${path.basename(device)}/dev`, 'utf8')).trim();
}

/** Mount points where the device is mounted, deepest first (safe unmount order). */
export async function mountPointsOf(device: string): Promise<string[]> {
  const dev = await blockDevNumber(device).catch(() => undefined);
  const mounts = (await readMountTable()).filter((e) => (dev !== undefined && entryDev(e) === dev) || e.source === device);
  return unmountOrder(mounts).map((e) => e.mountPoint);
}

/** Unmounts each mount point in turn, lazily where a plain umount fails (test clean-up must not get stuck). */
export async function unmountAll(points: readonly string[]): Promise<void> {
  for (const point of points) {
    const result = await execa('umount', [point], { reject: false });
    if (result.exitCode !== 0) await execa('umount', ['-l', point], { reject: false });
  }
}

export async function createLoop(options: LoopOptions = {}): Promise<LoopDevice> {
  const fstype = options.fstype;
  const size = Math.max(options.sizeMiB ?? 64, fstype ? (MIN_SIZE[fstype] ?? 0) : 0);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'tsha-loop-'));
  const image = path.join(dir, 'disk.img');
  await execa('truncate', ['-s', `${size}M`, image]);
  let device: string;
  try {
    device = (await execa('losetup', ['--find', '--show', image])).stdout.trim();
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  let disposed = false;
  let uuid: string | undefined;
  const handle: LoopDevice = {
    device,
    image,
    fstype,
    get uuid() {
      return uuid;
    },
    async dispose() {
      if (disposed) return;
      disposed = true;
      await unmountAll(await mountPointsOf(device));
      // The kernel can hold the device a moment after umount; retry the detach briefly.
      for (let i = 0; i < 20; i++) {
        const result = await execa('losetup', ['-d', device], { reject: false });
        if (result.exitCode === 0 || /No such device/i.test(String(result.stderr))) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
  if (!fstype) return handle;
  try {
    await execa(`mkfs.${fstype}`, mkfsArgs(fstype, device, options));
    uuid = (await execa('blkid', ['-s', 'UUID', '-o', 'value', device], { reject: false })).stdout.trim() || undefined;
    return handle;
  } catch (error) {
    await handle.dispose();
    throw error;
  }
}
