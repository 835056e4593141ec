// SPDX-License-Identifier: GPL-2.0-or-later
// The parameters, read together: what the combination means (device form for the type, bind or not, signals)
// or why it cannot work. Pure: validate-all at level 0 needs nothing else.
import { OcfError } from '../../lib/ocf/errors.js';
import { parseBoolean } from '../../lib/ocf/params.js';
import type { Params } from '../../lib/ocf/params.js';
import type { FilesystemParams } from './agent.js';
import { parseDeviceSpec, type DeviceSpec } from './device.js';
import { fsClass, type FsClass } from './fstypes.js';
import { normaliseDirectory } from './mountinfo.js';
import { parseSignals } from './signals.js';

export type Settings = {
  readonly spec: DeviceSpec;
  readonly cls: FsClass;
  /** As configured, lower case; `bind` for every bind mount. */
  readonly fstype: string;
  /** Absolute, normalised (no trailing slash); symlinks are resolved later, against the live system. */
  readonly directory: string;
  /** The -o options, bind/rbind removed for bind mounts. */
  readonly options: readonly string[];
  readonly recursiveBind: boolean;
  readonly forceUnmount: boolean;
  readonly termSignals: readonly NodeJS.Signals[];
  readonly killSignals: readonly NodeJS.Signals[];
  readonly signalDelayMs: number;
};

/** true/safe/yes/... → kill holders; false/no/... → never. Both true and safe walk /proc (never fuser -m). */
export function parseForceUnmount(value: string): { value: boolean } | { problem: string } {
  if (value.trim().toLowerCase() === 'safe') return { value: true };
  const bool = parseBoolean(value);
  return bool === undefined ? { problem: `force_unmount \`${value}\` must be true, safe or false` } : { value: bool };
}

export function readSettings(params: Params<FilesystemParams>): Settings {
  const options = params.options.split(',').filter(Boolean);
  const bindOption = options.find((o) => o === 'bind' || o === 'rbind');
  const cls: FsClass = bindOption ? 'bind' : fsClass(params.fstype);
  const spec = parseDeviceSpec(params.device, cls);
  if (!spec.ok) throw OcfError.configured(spec.problem);
  const directory = normaliseDirectory(params.directory);
  if (!params.directory.startsWith('/')) throw OcfError.configured(`directory \`${params.directory}\` must be an absolute path`);
  if (directory === '/') throw OcfError.configured('directory must not be `/`');
  const force = parseForceUnmount(params.force_unmount);
  if ('problem' in force) throw OcfError.configured(force.problem);
  const term = parseSignals(params.term_signals);
  if (!term.ok) throw OcfError.configured(`term_signals: ${term.problem}`);
  const kill = parseSignals(params.kill_signals);
  if (!kill.ok) throw OcfError.configured(`kill_signals: ${kill.problem}`);
  return {
    spec: spec.spec,
    cls,
    fstype: cls === 'bind' ? 'bind' : params.fstype.toLowerCase(),
    directory,
    options: cls === 'bind' ? options.filter((o) => o !== 'bind' && o !== 'rbind') : options,
    recursiveBind: bindOption === 'rbind' || params.fstype.toLowerCase() === 'rbind',
    forceUnmount: force.value,
    termSignals: term.signals,
    killSignals: kill.signals,
    signalDelayMs: params.signal_delay * 1000,
  };
}
