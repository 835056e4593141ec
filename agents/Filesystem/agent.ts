// SPDX-License-Identifier: GPL-2.0-or-later
import { realpathSync } from 'node:fs';
import { defineAgent } from '../../lib/ocf/agent.js';
import { VERSION } from '../../lib/version.js';
import { monitor, start, stop, validate } from './actions.js';
import { configure, filesystemParams } from './params.js';

const realDirectory = (dir: string): string => {
  try {
    return realpathSync(dir);
  } catch {
    return dir;
  }
};

export const filesystem = defineAgent({
  name: 'Filesystem',
  version: VERSION,
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
  configure,
  validate,
  validateTimeout: '5s',
  programs: [
    { name: 'mount', provider: 'util-linux', actions: ['start'] },
    // not for stop: a stop with nothing mounted needs no umount; one that needs it and lacks it fails (below)
    { name: 'umount', provider: 'util-linux', actions: [] },
  ],
  // a filesystem may still be mounted when stop meets a broken environment: only a fence makes the device safe
  // for the other node (heartbeat returns 5 there, which Pacemaker treats as a failed stop all the same)
  stopWhenBroken: 'failed',
  // the mount table names the directory with its symlinks resolved
  watch: (ctx) => ({ kind: 'mount', directory: realDirectory(ctx.params.directory), device: ctx.params.device }),
});
