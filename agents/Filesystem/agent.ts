// SPDX-License-Identifier: GPL-2.0-or-later
import { defineAgent } from '../../lib/ocf/agent.js';
import { param } from '../../lib/ocf/params.js';
import { monitor, start, stop, validate } from './actions.js';
import { parseForceUnmount, readSettings } from './settings.js';
import { parseSignals } from './signals.js';

const noControl = (what: string) => (value: string) => (/[\n\r\0]/.test(value) ? `${what} must not contain a line break` : undefined);

export const filesystemParams = {
  device: param.string({
    shortdesc: 'Block device, UUID, label or source to mount',
    longdesc:
      'What to mount: a block device path (symlinks and /dev/disk/by-* names are resolved), `-U uuid`, ' +
      '`-L label`, `UUID=...` or `LABEL=...`; for nfs/nfs4 `server:/export`, for cifs `//server/share`, for ' +
      'bind the source directory, for tmpfs any name.',
    required: true,
    check: (value) => (value.trim() !== value ? 'device must not start or end with whitespace' : noControl('device')(value)),
  }),
  directory: param.string({
    shortdesc: 'Mount point',
    longdesc:
      'The absolute path to mount on; created (mkdir -p) when missing. A trailing slash is ignored and a ' +
      'symlink is followed. `/` is refused.',
    required: true,
    check: (value) => {
      if (!value.startsWith('/')) return `directory \`${value}\` must be an absolute path`;
      if (/^\/+$/.test(value)) return 'directory must not be `/`';
      return noControl('directory')(value);
    },
  }),
  fstype: param.string({
    shortdesc: 'Filesystem type',
    longdesc:
      'The type passed to mount -t: xfs, ext4, ext3, ext2, btrfs, tmpfs, nfs, nfs4, cifs, ... and `bind` ' +
      '(or `none`) for a bind mount. It must be known to the kernel (/proc/filesystems).',
    required: true,
    check: (value) => (/^[A-Za-z0-9_.+-]+$/.test(value) ? undefined : `fstype \`${value}\` is not a filesystem type name`),
  }),
  options: param.string({
    shortdesc: 'Mount options',
    longdesc: 'Options passed to mount -o, comma separated (for example `noatime,nodiratime`). `bind` makes a bind mount.',
    default: '',
    check: (value) => (/\s/.test(value) ? 'options must be comma separated, without whitespace' : undefined),
  }),
  statusfile_prefix: param.string({
    shortdesc: 'Prefix of the status file for monitor depth 20',
    longdesc:
      'Where the depth-20 monitor writes and reads back its status file, relative to the mount point; the ' +
      'resource instance and node name are appended.',
    default: '.Filesystem_status/',
    check: (value) =>
      value.startsWith('/') || value.split('/').includes('..') ? 'statusfile_prefix must be a relative path without `..`' : noControl('statusfile_prefix')(value),
  }),
  run_fsck: param.select({
    shortdesc: 'Run fsck before mounting',
    longdesc:
      '`auto` runs `fsck -p` only for types without a journal (ext2, vfat; never xfs), `force` for every ' +
      'block filesystem, `no` never. fsck exit codes of 4 and above fail the start.',
    options: ['auto', 'force', 'no'],
    default: 'auto',
  }),
  fast_stop: param.boolean({
    shortdesc: 'Limit each unmount to 6 seconds',
    longdesc: 'When true, the unmount and the killing of processes that hold the filesystem get at most 6 s; otherwise the stop timeout.',
    default: false,
  }),
  force_clones: param.boolean({
    shortdesc: 'Allow a local filesystem as a clone',
    longdesc:
      'A local filesystem (xfs, ext*, btrfs, ...) mounted on several nodes at once is destroyed, so running ' +
      'one as a clone is refused unless this is true (for example with read-only mounts).',
    default: false,
  }),
  force_unmount: param.string({
    shortdesc: 'Kill processes that keep the filesystem busy',
    longdesc:
      '`true` or `safe`: when the unmount fails because the filesystem is busy, the processes that really use ' +
      'it (working directory, root, executable, open files, memory maps under the mount, found in /proc by ' +
      'mount, never by path prefix) get term_signals, then kill_signals. `false`: nothing is killed and the ' +
      'stop fails if the filesystem stays busy.',
    default: 'true',
    check: (value) => ('problem' in parseForceUnmount(value) ? `force_unmount \`${value}\` must be true, safe or false` : undefined),
  }),
  term_signals: param.string({
    shortdesc: 'Signals sent first to processes holding the filesystem',
    longdesc: 'Signal names or numbers, separated by spaces or commas, sent one after the other with signal_delay between them.',
    default: 'TERM',
    check: (value) => {
      const parsed = parseSignals(value);
      return parsed.ok ? undefined : `term_signals: ${parsed.problem}`;
    },
  }),
  kill_signals: param.string({
    shortdesc: 'Signals sent to processes that survive term_signals',
    longdesc: 'Signal names or numbers, repeated until the filesystem is free or the stop runs out of time.',
    default: 'KILL',
    check: (value) => {
      const parsed = parseSignals(value);
      return parsed.ok ? undefined : `kill_signals: ${parsed.problem}`;
    },
  }),
  signal_delay: param.integer({
    shortdesc: 'Seconds to wait after each signal',
    longdesc: 'How long to wait for signalled processes to exit before the next unmount attempt (less if they exit sooner).',
    default: 1,
    min: 0,
    max: 60,
  }),
} as const;

export type FilesystemParams = typeof filesystemParams;

export const filesystem = defineAgent({
  name: 'Filesystem',
  version: '0.1.0',
  shortdesc: 'Manages a mounted filesystem',
  longdesc:
    'Mounts a filesystem (a shared disk such as a DRBD device, a network export, tmpfs or a bind mount) on a ' +
    'directory and unmounts it again, killing only the processes that really use it when it is busy. Monitor ' +
    'depth 0 checks the mount table, depth 10 reads the device, depth 20 writes and reads back a status file. ' +
    'Drop-in replacement for ocf:heartbeat:Filesystem.',
  params: filesystemParams,
  actions: {
    start: { timeout: '60s', handler: start },
    stop: { timeout: '60s', handler: stop },
    monitor: { timeout: '40s', interval: '20s', depth: 0, handler: monitor },
  },
  configure: readSettings,
  validate,
  validateTimeout: '5s',
});
