// SPDX-License-Identifier: GPL-2.0-or-later
// Entry point of the detached resource daemon started by `drbdadm up` (see daemon.ts).
import { main } from './daemon.js';

// no top-level await: the entry points are also bundled as CommonJS (bundle.mjs)
void main(process.argv.slice(2));
