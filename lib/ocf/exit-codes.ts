// SPDX-License-Identifier: GPL-2.0-or-later
// OCF 1.1 exit codes, with the names Pacemaker 2.1 uses (PROMOTED rather than the legacy MASTER).
export const OcfExit = {
  SUCCESS: 0,
  ERR_GENERIC: 1,
  ERR_ARGS: 2,
  ERR_UNIMPLEMENTED: 3,
  ERR_PERM: 4,
  ERR_INSTALLED: 5,
  ERR_CONFIGURED: 6,
  NOT_RUNNING: 7,
  RUNNING_PROMOTED: 8,
  FAILED_PROMOTED: 9,
  DEGRADED: 190,
  DEGRADED_PROMOTED: 191,
} as const;

export type OcfExitName = keyof typeof OcfExit;
export type OcfExitCode = (typeof OcfExit)[OcfExitName];

const namesByCode = new Map<number, OcfExitName>(
  (Object.entries(OcfExit) as [OcfExitName, OcfExitCode][]).map(([name, code]) => [code, name]),
);

/** `OCF_SUCCESS`, `OCF_NOT_RUNNING`, ...; codes outside OCF 1.1 are named `unknown`. */
export function exitName(code: number): string {
  const name = namesByCode.get(code);
  return name ? `OCF_${name}` : 'unknown';
}

export function isOcfExitCode(code: number): code is OcfExitCode {
  return namesByCode.has(code);
}
