// SPDX-License-Identifier: GPL-2.0-or-later
// What the host says about the block devices of a resource: device numbers, mounts, sizes. Read-only probes,
// used by the daemon and by drbdadm/drbdsetup (the "held open" checks).
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { VolumeConfig } from './config.js';
import { entryDev, parseMountinfo } from '../../agents/Filesystem/mountinfo.js';

export type DevNumbers = { major: number; minor: number };

/** major:minor of a block device, or undefined. */
export function blockDevNumbers(file: string): DevNumbers | undefined {
  try {
    const st = statSync(file);
    if (!st.isBlockDevice()) return undefined;
    const rdev = st.rdev;
    return { major: Math.floor(rdev / 256) & 0xfff, minor: (rdev & 0xff) | ((Math.floor(rdev / 1048576) & 0xfff) << 8) };
  } catch {
    return undefined;
  }
}

/** Whether two files are the same block device (both exist and have the same numbers). */
export function sameBlockDevice(a: string, b: string): boolean {
  const x = blockDevNumbers(a);
  const y = blockDevNumbers(b);
  return x !== undefined && y !== undefined && x.major === y.major && x.minor === y.minor;
}

/** Whether a block device is mounted in this process' mount namespace (DRBD's "held open"). */
export function isMounted(file: string): boolean {
  const nums = blockDevNumbers(file);
  if (!nums) return false;
  try {
    const key = `${nums.major}:${nums.minor}`;
    // synchronous (the daemon's state changes are), but the same parser as every other reader
    return parseMountinfo(readFileSync('/proc/self/mountinfo', 'utf8')).some((entry) => entryDev(entry) === key);
  } catch {
    return false;
  }
}

/** Whether a volume's device (or its backing disk) is mounted here: a Primary that cannot be demoted. */
export function volumesHeldOpen(volumes: readonly VolumeConfig[]): boolean {
  return volumes.some((v) => isMounted(v.device) || (v.disk !== 'none' && isMounted(v.disk)));
}

/** The usable size of a backing disk in KiB (what DRBD leaves after its internal metadata), 0 when unknown. */
export function usableSizeKiB(disk: string): number {
  try {
    const name = path.basename(statSync(disk).isBlockDevice() ? disk : '');
    const sectors = Number(readFileSync(`/sys/class/block/${name}/size`, 'utf8').trim());
    const kib = Math.floor(sectors / 2);
    // internal metadata: superblock + activity log (36 KiB) and a bitmap of one bit per 4 KiB
    return Math.max(0, kib - 36 - Math.ceil(kib / 32768) * 4);
  } catch {
    return 0;
  }
}
