// SPDX-License-Identifier: GPL-2.0-or-later
// Simulated drbdsetup (drbd-utils 9.22 command line) for nodes without the DRBD kernel module.
import { runCli } from './cli.js';
import { isMounted } from './daemon.js';
import { drbdsetup } from './setup-cmds.js';
import { upResources } from './setup-cmds.js';

await runCli(async (sim, argv, io) => {
  // "held open": a device of an up resource is mounted in this mount namespace
  const snaps = await upResources(sim);
  const devices = snaps.flatMap((s) => s.devices.map((d) => d.minor));
  return drbdsetup(sim, argv, io, () => devices.some((minor) => isMounted(`/dev/drbd${minor}`)));
});
