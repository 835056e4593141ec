// SPDX-License-Identifier: GPL-2.0-or-later
import { constants, promises as fs } from 'node:fs';
import path from 'node:path';

/**
 * The absolute path of an executable found on PATH, or undefined. ocf-tester sets
 * OCF_TESTER_FAIL_HAVE_BINARY=1 to make every program look missing (ocf-binaries' have_binary does the same).
 */
export async function findProgram(name: string, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  if (env.OCF_TESTER_FAIL_HAVE_BINARY === '1') return undefined;
  const candidates = name.includes('/') ? [name] : (env.PATH ?? '').split(':').filter(Boolean).map((dir) => path.join(dir, name));
  for (const candidate of candidates) {
    try {
      await fs.access(candidate, constants.X_OK);
      if ((await fs.stat(candidate)).isFile()) return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}
