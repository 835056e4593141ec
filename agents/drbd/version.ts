// SPDX-License-Identifier: GPL-2.0-or-later
// Which DRBD the kernel runs (reference drbd.md §3 step 2): `drbdadm --version` prints shell assignments, with
// DRBD_KERNEL_VERSION_CODE=0x000000 when no module is loaded; /proc/drbd's first line says the same.

export type Version = readonly [number, number, number];

/** `x.y.z` (a missing part is 0, a suffix such as `-1` or `rc1` is ignored), or undefined. */
export function parseVersion(text: string): Version | undefined {
  const match = /^\s*(\d+)\.(\d+)(?:\.(\d+))?/.exec(text);
  if (!match) return undefined;
  return [Number(match[1]), Number(match[2]), Number(match[3] ?? 0)];
}

export function compareVersions(a: Version, b: Version): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}

export function formatVersion(v: Version): string {
  return v.join('.');
}

export type DrbdadmVersion = {
  readonly utils: Version | undefined;
  /** undefined when no module is loaded (code 0). */
  readonly kernel: Version | undefined;
};

/** Parses `drbdadm --version`. */
export function parseDrbdadmVersion(text: string): DrbdadmVersion {
  const vars = new Map<string, string>();
  for (const line of text.split('\n')) {
    const match = /^([A-Z_]+)=(.*)$/.exec(line.trim());
    if (match) vars.set(match[1]!, match[2]!);
  }
  const code = Number.parseInt(vars.get('DRBD_KERNEL_VERSION_CODE') ?? '0', 16);
  const kernel: Version | undefined =
    Number.isFinite(code) && code > 0 ? [(code >> 16) & 0xff, (code >> 8) & 0xff, code & 0xff] : undefined;
  return { utils: parseVersion(vars.get('DRBDADM_VERSION') ?? ''), kernel };
}

/** The `version: 8.4.11 (api:1/proto:86-101)` line of /proc/drbd. */
export function parseProcDrbdVersion(text: string): Version | undefined {
  const match = /^version:\s*(\S+)/m.exec(text);
  return match ? parseVersion(match[1]!) : undefined;
}

export function isV9(kernel: Version): boolean {
  return kernel[0] >= 9;
}
