// SPDX-License-Identifier: GPL-2.0-or-later
// /proc/self/mountinfo, parsed (proc(5)). Mounts are compared by mount id and device number, never by string
// prefix: /mnt/data2 is not under /mnt/data.

export type MountEntry = {
  readonly id: number;
  readonly parentId: number;
  readonly major: number;
  readonly minor: number;
  /** The path inside the filesystem that is mounted (not `/` for bind mounts of a subdirectory). */
  readonly root: string;
  readonly mountPoint: string;
  readonly mountOptions: string;
  readonly fstype: string;
  /** What was mounted, as the kernel reports it (`/dev/loop0`, `srv:/export`, `tmpfs`). */
  readonly source: string;
  readonly superOptions: string;
};

/** The kernel escapes space, tab, newline and backslash as three-digit octal (`\040`). */
export function unescapeField(text: string): string {
  return text.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(Number.parseInt(octal, 8)));
}

/** One entry per well-formed line; a line that does not parse is skipped rather than guessed at. */
export function parseMountinfo(text: string): MountEntry[] {
  const entries: MountEntry[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const fields = line.split(' ');
    const dash = fields.indexOf('-', 6);
    if (dash < 0 || fields.length < dash + 4) continue;
    const [id, parentId, devno, root, mountPoint, mountOptions] = fields;
    const dev = /^(\d+):(\d+)$/.exec(devno ?? '');
    if (!dev || !/^\d+$/.test(id ?? '') || !/^\d+$/.test(parentId ?? '') || root === undefined || mountPoint === undefined) continue;
    entries.push({
      id: Number(id),
      parentId: Number(parentId),
      major: Number(dev[1]),
      minor: Number(dev[2]),
      root: unescapeField(root),
      mountPoint: unescapeField(mountPoint),
      mountOptions: mountOptions ?? '',
      fstype: unescapeField(fields[dash + 1] ?? ''),
      source: unescapeField(fields[dash + 2] ?? ''),
      superOptions: fields[dash + 3] ?? '',
    });
  }
  return entries;
}

export function devKey(major: number, minor: number): string {
  return `${major}:${minor}`;
}

export function entryDev(entry: MountEntry): string {
  return devKey(entry.major, entry.minor);
}

/** True when path is dir or lies below it, component-wise. */
export function isWithin(path: string, dir: string): boolean {
  if (dir === '/') return path.startsWith('/');
  return path === dir || path.startsWith(`${dir}/`);
}

/**
 * The same mount in a later read of a table. Mount ids are reused as soon as a mount is freed (another mount made
 * meanwhile may take ours), so the id alone does not say it.
 */
export function sameMount(a: MountEntry, b: MountEntry): boolean {
  return a.id === b.id && a.major === b.major && a.minor === b.minor && a.root === b.root && a.mountPoint === b.mountPoint;
}

/** Mounts stacked on exactly this directory, bottom first (mountinfo lists them in mount order). */
export function mountsAt(entries: readonly MountEntry[], dir: string): MountEntry[] {
  return entries.filter((e) => e.mountPoint === dir);
}

/** The visible mount on a directory: the last one stacked there. */
export function topMountAt(entries: readonly MountEntry[], dir: string): MountEntry | undefined {
  return mountsAt(entries, dir).at(-1);
}

/** Mounts strictly below a directory, deepest (and latest) first: the order to unmount them in. */
export function mountsBelow(entries: readonly MountEntry[], dir: string): MountEntry[] {
  return unmountOrder(entries.filter((e) => e.mountPoint !== dir && isWithin(e.mountPoint, dir)));
}

/**
 * The order to unmount mounts in: deepest mount point first, and of mounts at one depth the latest first (the
 * table lists them in mount order), so a mount goes before the one it sits on.
 */
export function unmountOrder(entries: readonly MountEntry[]): MountEntry[] {
  const indexed = entries.map((e, index) => ({ e, index }));
  indexed.sort((a, b) => depth(b.e.mountPoint) - depth(a.e.mountPoint) || b.index - a.index);
  return indexed.map(({ e }) => e);
}

function depth(path: string): number {
  return path.split('/').filter(Boolean).length;
}

/** The mount a path (as this namespace sees it) belongs to: the longest mount point containing it, topmost. */
export function owningMount(entries: readonly MountEntry[], path: string): MountEntry | undefined {
  let best: MountEntry | undefined;
  for (const entry of entries) {
    if (!isWithin(path, entry.mountPoint)) continue;
    if (!best || entry.mountPoint.length >= best.mountPoint.length) best = entry;
  }
  return best;
}

/** Normalises a directory as mount(8) records it: no trailing slash, no empty or `.` components. */
export function normaliseDirectory(dir: string): string {
  const parts: string[] = [];
  for (const part of dir.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') parts.pop();
    else parts.push(part);
  }
  return `/${parts.join('/')}`;
}
