// SPDX-License-Identifier: GPL-2.0-or-later
// Simulated drbdadm (drbd-utils 9.22 command line) for nodes without the DRBD kernel module.
import { drbdadm } from './adm-cmds.js';
import { runCli } from './cli.js';

await runCli(drbdadm);
