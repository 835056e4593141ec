// SPDX-License-Identifier: GPL-2.0-or-later
// ocf:heartbeat:Filesystem's parameters, with its names and defaults, each parsed once here; configure() reads
// them together (device form for the type, bind or not). Pure: validate-all at level 0 needs nothing else.
import type { ActionContext } from '../../lib/ocf/agent.js';
import { OcfError } from '../../lib/ocf/errors.js';
import { Invalid, invalid, param, parseBoolean, type Params } from '../../lib/ocf/params.js';
import { parseDeviceSpec, type DeviceSpec } from './device.js';
import { fsClass, type FsClass } from './fstypes.js';
import { normaliseDirectory } from './mountinfo.js';
import { parseSignals } from './signals.js';
import { eventWatchParam } from '../../lib/watch/interest.js';

// Linux's limits on a path and on one name in it (limits.h)
const PATH_MAX = 4096;
const NAME_MAX = 255;

const noControl = (what: string, value: string): string | Invalid => (/[\n\r\0]/.test(value) ? invalid(`${what} must not contain a line break`) : value);
const signalsParam = (name: string) => (value: string) => {
  const parsed = parseSignals(value);
  return parsed.ok ? parsed.signals : invalid(`${name}: ${parsed.problem}`);
};

export const filesystemParams = {
  device: param.string({
    shortdesc: 'Block device, UUID, label or source to mount',
    longdesc:
      'What to mount: a block device path (symlinks and /dev/disk/by-* names are resolved), `-U uuid`, ' +
      '`-L label`, `UUID=...` or `LABEL=...`; for nfs/nfs4 `server:/export`, for cifs `//server/share`, for ' +
      'bind the source directory, for tmpfs any name.',
    required: true,
    parse: (value) => (value.trim() !== value ? invalid('device must not start or end with whitespace') : noControl('device', value)),
  }),
  directory: param.string({
    shortdesc: 'Mount point',
    longdesc:
      'The absolute path to mount on; created (mkdir -p) when missing. A trailing slash is ignored and a ' +
      'symlink is followed. `/` is refused.',
    required: true,
    // normalised (no trailing slash, no `.`); symlinks are resolved later, against the live system
    parse: (value) => {
      if (!value.startsWith('/')) return invalid(`directory \`${value}\` must be an absolute path`);
      if (/^\/+$/.test(value)) return invalid('directory must not be `/`');
      // a path Linux cannot hold: mkdir and mount would fail with ENAMETOOLONG at every start
      if (Buffer.byteLength(value) >= PATH_MAX || value.split('/').some((part) => Buffer.byteLength(part) > NAME_MAX)) {
        return invalid(`directory is longer than Linux allows (${PATH_MAX - 1} bytes, ${NAME_MAX} per name)`);
      }
      const checked = noControl('directory', value);
      return checked instanceof Invalid ? checked : normaliseDirectory(checked);
    },
  }),
  fstype: param.string({
    shortdesc: 'Filesystem type',
    longdesc:
      'The type passed to mount -t: xfs, ext4, ext3, ext2, btrfs, tmpfs, nfs, nfs4, cifs, ... and `bind` ' +
      '(or `none`) for a bind mount. It must be known to the kernel (/proc/filesystems).',
    required: true,
    parse: (value) => (/^[A-Za-z0-9_.+-]+$/.test(value) ? value.toLowerCase() : invalid(`fstype \`${value}\` is not a filesystem type name`)),
  }),
  options: param.string({
    shortdesc: 'Mount options',
    longdesc: 'Options passed to mount -o, comma separated (for example `noatime,nodiratime`). `bind` makes a bind mount.',
    default: '',
    parse: (value) => (/\s/.test(value) ? invalid('options must be comma separated, without whitespace') : value.split(',').filter(Boolean)),
  }),
  statusfile_prefix: param.string({
    shortdesc: 'Prefix of the status file for monitor depth 20',
    longdesc:
      'Where the depth-20 monitor writes and reads back its status file, relative to the mount point; the ' +
      'resource instance and node name are appended.',
    default: '.Filesystem_status/',
    parse: (value) =>
      value.startsWith('/') || value.split('/').includes('..') ? invalid('statusfile_prefix must be a relative path without `..`') : noControl('statusfile_prefix', value),
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
    // true and safe both walk /proc (never fuser -m)
    parse: (value) => (value.trim().toLowerCase() === 'safe' ? true : (parseBoolean(value) ?? invalid(`force_unmount \`${value}\` must be true, safe or false`))),
  }),
  term_signals: param.string({
    shortdesc: 'Signals sent first to processes holding the filesystem',
    longdesc: 'Signal names or numbers, separated by spaces or commas, sent one after the other with signal_delay between them.',
    default: 'TERM',
    parse: signalsParam('term_signals'),
  }),
  kill_signals: param.string({
    shortdesc: 'Signals sent to processes that survive term_signals',
    longdesc: 'Signal names or numbers, repeated until the filesystem is free or the stop runs out of time.',
    default: 'KILL',
    parse: signalsParam('kill_signals'),
  }),
  signal_delay: param.integer({
    shortdesc: 'Seconds to wait after each signal',
    longdesc: 'How long to wait for signalled processes to exit before the next unmount attempt (less if they exit sooner).',
    default: 1,
    min: 0,
    max: 60,
  }),
  event_watch: eventWatchParam('the filesystem unmounted or moved, its device node removed'),
} as const;

export type FilesystemParams = typeof filesystemParams;

/** What the parameters mean together. */
export type Config = {
  /** The device read for the kind of filesystem (a path, a tag, a network source). */
  readonly spec: DeviceSpec;
  readonly cls: FsClass;
  /** As configured, lower case; `bind` for every bind mount (fstype bind, or a bind/rbind option). */
  readonly fstype: string;
  /** The -o options, bind/rbind removed for bind mounts. */
  readonly options: readonly string[];
  readonly recursiveBind: boolean;
};

export type Ctx = ActionContext<FilesystemParams, Config>;

export function configure(params: Params<FilesystemParams>): Config {
  const bindOption = params.options.find((o) => o === 'bind' || o === 'rbind');
  const cls: FsClass = bindOption ? 'bind' : fsClass(params.fstype);
  const spec = parseDeviceSpec(params.device, cls);
  if (!spec.ok) throw OcfError.configured(spec.problem);
  return {
    spec: spec.spec,
    cls,
    fstype: cls === 'bind' ? 'bind' : params.fstype,
    options: cls === 'bind' ? params.options.filter((o) => o !== 'bind' && o !== 'rbind') : params.options,
    recursiveBind: bindOption === 'rbind' || params.fstype === 'rbind',
  };
}
