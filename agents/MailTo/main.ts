// SPDX-License-Identifier: GPL-2.0-or-later
import { runMain } from '../../lib/ocf/run.js';
import { mailTo } from './agent.js';

runMain(mailTo);
