// SPDX-License-Identifier: GPL-2.0-or-later
// Simulated drbdadm (drbd-utils 9.22 command line) for nodes without the DRBD kernel module.
import { drbdadm } from './adm-cmds.js';
import { runCli } from './cli.js';

// no top-level await: the entry points are also bundled as CommonJS (bundle.mjs)
void runCli(drbdadm);
