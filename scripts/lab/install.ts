// SPDX-License-Identifier: GPL-2.0-or-later
// The fence agent must be /usr/sbin/fence_<x>: Pacemaker's fencer looks for agents there only. The nodes share the
// host's root filesystem, so one shim on the host serves every node. `make install` writes it (scripts/install.sh);
// `tsha lab up` writes it too when it is missing, pointing at the running copy of tsha.
import { constants, promises as fs } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const FENCE_AGENT = '/usr/sbin/fence_tsha_lab';
const MARK = '# installed by tsha';

/** The same /bin/sh shim scripts/install.sh writes: node's absolute path, then the compiled entry. */
export function shim(node: string, main: string): string {
  return `#!/bin/sh\n${MARK}; runs ${main}\nexec ${node} ${main} "$@"\n`;
}

/** The entry a shim runs, or undefined when the file is not one of our shims. */
export function shimTarget(text: string): string | undefined {
  if (!text.split('\n')[1]?.startsWith(MARK)) return undefined;
  return /^exec \S+ (\S+) "\$@"$/m.exec(text)?.[1];
}

async function exists(file: string): Promise<boolean> {
  return fs.access(file, constants.F_OK).then(
    () => true,
    () => false,
  );
}

/** Makes sure a working fence_tsha_lab is installed; returns what it runs. */
export async function ensureFenceAgent(path = FENCE_AGENT): Promise<string> {
  const current = await fs.readFile(path, 'utf8').catch(() => undefined);
  if (current !== undefined) {
    const target = shimTarget(current);
    if (target === undefined) throw new Error(`${path} exists and was not installed by tsha; not replacing it`);
    if (await exists(target)) return target;
  }
  const main = fileURLToPath(new URL('./fence_tsha_lab.js', import.meta.url));
  await fs.writeFile(path, shim(process.execPath, main), { mode: 0o755 });
  await fs.chmod(path, 0o755);
  return main;
}
