// SPDX-License-Identifier: GPL-2.0-or-later
// The OCF environment beyond parameters and meta attributes.

// pcs runs validate-all with no PATH at all and reads meta-data with a short one; shell agents survive because
// ocf-binaries appends these, and so do we, before anything is spawned.
export const SYSTEM_PATH_DIRS = ['/usr/sbin', '/sbin', '/usr/bin', '/bin'];

export function withSystemPath(path: string | undefined): string {
  const dirs = (path ?? '').split(':').filter(Boolean);
  for (const dir of SYSTEM_PATH_DIRS) if (!dirs.includes(dir)) dirs.push(dir);
  return dirs.join(':');
}

/** OCF_CHECK_LEVEL (Pacemaker exports it unprefixed; ocf-shellfuncs also maps the OCF_RESKEY_ form). */
export function checkLevel(env: NodeJS.ProcessEnv): number {
  const raw = env.OCF_CHECK_LEVEL ?? env.OCF_RESKEY_OCF_CHECK_LEVEL ?? '';
  const value = Number.parseInt(raw, 10);
  return Number.isFinite(value) && value > 0 ? value : 0;
}

/** The resource id; `<id>:<n>` for globally-unique clones. */
export function resourceInstance(env: NodeJS.ProcessEnv, agent: string): string {
  return env.OCF_RESOURCE_INSTANCE || agent;
}
