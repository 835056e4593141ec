// SPDX-License-Identifier: GPL-2.0-or-later
// What the agent needs to know about a filesystem type: does it sit on a local block device, is it safe to mount
// on several nodes at once, does it need fsck, what name does the kernel register it under.

/** Types whose source is a server export or share, not a device; they are unmounted with `umount -f`. */
const NETWORK = new Set(['nfs', 'nfs4', 'efs', 'cifs', 'smbfs', 'smb3', 'glusterfs', 'ceph', 'cvfs', 'lustre', 'rozofs']);
/** Types with no device at all (the device parameter is a free name). */
const VIRTUAL = new Set(['tmpfs', 'ramfs', 'overlay', 'overlayfs', 'zfs']);
/** Mounting the same bind source elsewhere. */
const BIND = new Set(['bind', 'none', 'rbind']);
/** Single-node filesystems: mounting one on two nodes at once destroys it (heartbeat's clone check list). */
const LOCAL_ONLY = new Set(['xfs', 'ext2', 'ext3', 'ext4', 'ext4dev', 'btrfs', 'jfs', 'reiserfs', 'reiser4', 'vfat', 'msdos', 'exfat', 'f2fs']);
/** Types without a journal: after a crash they want fsck before mount (run_fsck=auto). Never xfs. */
const FSCK_AUTO = new Set(['ext2', 'vfat', 'msdos', 'minix']);
/** Types for which fsck is meaningless (xfs_repair is not run by fsck; fsck.xfs does nothing). */
const NO_FSCK = new Set(['xfs', 'btrfs']);

export type FsClass = 'block' | 'network' | 'virtual' | 'bind';

export function fsClass(fstype: string): FsClass {
  const type = fstype.toLowerCase();
  if (BIND.has(type)) return 'bind';
  if (NETWORK.has(type) || type.startsWith('fuse.')) return 'network';
  if (VIRTUAL.has(type)) return 'virtual';
  return 'block';
}

export function isNetwork(fstype: string): boolean {
  return fsClass(fstype) === 'network';
}

export function isLocalOnly(fstype: string): boolean {
  return LOCAL_ONLY.has(fstype.toLowerCase());
}

export function wantsFsck(fstype: string, runFsck: 'auto' | 'force' | 'no'): boolean {
  const type = fstype.toLowerCase();
  if (runFsck === 'no' || fsClass(type) !== 'block' || NO_FSCK.has(type)) return false;
  return runFsck === 'force' || FSCK_AUTO.has(type);
}

/** The name /proc/filesystems lists for a type, or undefined when the kernel has nothing to register (bind). */
export function kernelName(fstype: string): string | undefined {
  const type = fstype.toLowerCase();
  if (BIND.has(type)) return undefined;
  if (type.startsWith('fuse.') || type === 'glusterfs' || type === 'rozofs') return 'fuse';
  if (type === 'efs') return 'nfs4';
  if (type === 'smb3') return 'cifs';
  if (type === 'overlayfs') return 'overlay';
  return type;
}

/** /proc/filesystems: `nodev\ttmpfs` or `\text4` per line. */
export function parseProcFilesystems(text: string): Set<string> {
  const names = new Set<string>();
  for (const line of text.split('\n')) {
    const name = line.split('\t').at(-1)?.trim();
    if (name) names.add(name);
  }
  return names;
}

/** Types mount(8) reports under another name in mountinfo. */
export function sameType(configured: string, mounted: string): boolean {
  const a = configured.toLowerCase();
  const b = mounted.toLowerCase();
  if (a === b) return true;
  if (a === 'nfs' && b === 'nfs4') return true;
  if (a === 'efs' && b === 'nfs4') return true;
  if (a === 'smb3' && b === 'cifs') return true;
  if (a === 'overlayfs' && b === 'overlay') return true;
  return a.startsWith('fuse.') && b === a;
}
