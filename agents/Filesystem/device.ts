// SPDX-License-Identifier: GPL-2.0-or-later
// The device parameter: a path, `-U uuid` / `-L label` (mount(8) syntax), `UUID=` / `LABEL=` (fstab syntax),
// `--uuid=` / `--label=`, a server export for network types, a source directory for bind mounts, or a free name
// for virtual types such as tmpfs.
import type { FsClass } from './fstypes.js';

export type DeviceSpec =
  | { readonly kind: 'path'; readonly path: string }
  | { readonly kind: 'uuid'; readonly value: string }
  | { readonly kind: 'label'; readonly value: string }
  /** Network export (`srv:/path`, `//srv/share`) or virtual name (`tmpfs`): compared as the kernel reports it. */
  | { readonly kind: 'source'; readonly source: string };

export type SpecResult = { readonly ok: true; readonly spec: DeviceSpec } | { readonly ok: false; readonly problem: string };

const TAGGED: readonly [RegExp, 'uuid' | 'label'][] = [
  [/^-U\s*(.+)$/, 'uuid'],
  [/^--uuid=(.+)$/, 'uuid'],
  [/^UUID=(.+)$/, 'uuid'],
  [/^-L\s*(.+)$/, 'label'],
  [/^--label=(.+)$/, 'label'],
  [/^LABEL=(.+)$/, 'label'],
];

function unquote(value: string): string {
  const match = /^"(.*)"$/.exec(value) ?? /^'(.*)'$/.exec(value);
  return match?.[1] ?? value;
}

/** Reads the device parameter in the light of the filesystem class; a form that cannot work is a problem. */
export function parseDeviceSpec(device: string, cls: FsClass): SpecResult {
  if (device.trim() !== device || device === '') return { ok: false, problem: `device \`${device}\` must not be empty or start/end with whitespace` };
  if (cls === 'block') {
    for (const [pattern, kind] of TAGGED) {
      const match = pattern.exec(device);
      if (match?.[1]) {
        const value = unquote(match[1].trim());
        if (value === '' || /[\s/]/.test(value)) return { ok: false, problem: `device \`${device}\`: invalid ${kind}` };
        return { ok: true, spec: { kind, value } };
      }
    }
    if (!device.startsWith('/')) {
      return { ok: false, problem: `device \`${device}\` must be an absolute path, -U uuid, -L label, UUID=... or LABEL=...` };
    }
    return { ok: true, spec: { kind: 'path', path: device } };
  }
  if (cls === 'bind') {
    if (!device.startsWith('/')) return { ok: false, problem: `bind source \`${device}\` must be an absolute path` };
    return { ok: true, spec: { kind: 'path', path: device } };
  }
  if (cls === 'network' && !/^[^/\s]+:\/|^\/\/[^/\s]+\/|^[^/\s]+:[^/\s]*$/.test(device) && !device.startsWith('/')) {
    return { ok: false, problem: `device \`${device}\` is not a network source (server:/path or //server/share)` };
  }
  return { ok: true, spec: { kind: 'source', source: device } };
}

/** The /dev/disk/by-* link udev would create for a tagged spec (label characters are escaped like udev does). */
export function byTagPath(spec: DeviceSpec): string | undefined {
  if (spec.kind === 'uuid') return `/dev/disk/by-uuid/${spec.value}`;
  if (spec.kind === 'label') return `/dev/disk/by-label/${spec.value.replace(/[^\w#+\-.:=@]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)}`;
  return undefined;
}

export function describeSpec(spec: DeviceSpec): string {
  switch (spec.kind) {
    case 'path':
      return spec.path;
    case 'uuid':
      return `UUID=${spec.value}`;
    case 'label':
      return `LABEL=${spec.value}`;
    case 'source':
      return spec.source;
  }
}
