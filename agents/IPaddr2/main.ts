// SPDX-License-Identifier: GPL-2.0-or-later
import { runMain } from '../../lib/ocf/run.js';
import { ipaddr2 } from './agent.js';

runMain(ipaddr2);
