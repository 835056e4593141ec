// SPDX-License-Identifier: GPL-2.0-or-later
// Simulated drbdsetup (drbd-utils 9.22 command line) for nodes without the DRBD kernel module.
import { runCli } from './cli.js';
import { isMounted } from './host.js';
import { drbdsetup, upResources } from './setup-cmds.js';
import type { SimEnv } from './config.js';

// "held open": a device of an up resource is mounted in this mount namespace; asked only by secondary and down
const held = async (sim: SimEnv): Promise<boolean> =>
  (await upResources(sim)).some((s) => s.devices.some((d) => isMounted(`/dev/drbd${d.minor}`)));

// no top-level await: the entry points are also bundled as CommonJS (bundle.mjs)
void runCli(async (sim, argv, io) => drbdsetup(sim, argv, io, () => held(sim)));
