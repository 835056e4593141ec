// SPDX-License-Identifier: GPL-2.0-or-later
// /dev/drbdN of a resource: a block device node with the backing disk's numbers, made when the minor is created
// and removed when the resource goes down, unless another node that is up shares this /dev.
import { execFileSync } from 'node:child_process';
import { rmSync, statSync } from 'node:fs';
import { queryDaemon } from './client.js';
import type { VolumeConfig } from './config.js';
import { log } from './daemon-log.js';
import { blockDevNumbers, sameBlockDevice } from './host.js';
import { listNodes } from './store.js';

/** Which /dev this process sees (lab nodes may have their own or share the host's). */
export function devIdentity(): string {
  const dev = statSync('/dev');
  return `${dev.dev}:${dev.ino}`;
}

/** mknod of each volume's device with its backing disk's numbers (left as it is when already right). */
export function makeDeviceNodes(volumes: readonly VolumeConfig[]): void {
  for (const v of volumes) {
    const nums = blockDevNumbers(v.disk);
    if (!nums || sameBlockDevice(v.device, v.disk)) continue;
    try {
      rmSync(v.device, { force: true });
      execFileSync('mknod', ['-m', '0660', v.device, 'b', String(nums.major), String(nums.minor)], { stdio: 'ignore' });
    } catch (error) {
      log('mknod failed', v.device, String(error));
    }
  }
}

export type Owner = { stateDir: string; node: string; res: string; devId: string };

/** Removes the device nodes we made, unless the resource is up on another node that sees the same /dev. */
export async function removeDeviceNodes(volumes: readonly VolumeConfig[], owner: Owner): Promise<void> {
  for (const { node, resources } of listNodes(owner.stateDir)) {
    if (node === owner.node || !resources.includes(owner.res)) continue;
    const reply = await queryDaemon(owner.stateDir, node, owner.res, { op: 'info' }).catch(() => undefined);
    if (reply && 'info' in reply && reply.info.devId === owner.devId) return;
  }
  for (const v of volumes) {
    if (sameBlockDevice(v.device, v.disk)) rmSync(v.device, { force: true });
  }
}
