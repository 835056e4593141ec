// SPDX-License-Identifier: GPL-2.0-or-later
// Entry point of the detached resource daemon started by `drbdadm up` (see daemon.ts).
import { main } from './daemon.js';

await main(process.argv.slice(2));
