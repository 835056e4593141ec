// SPDX-License-Identifier: GPL-2.0-or-later
import { runAgent } from '../../lib/ocf/run.js';
import { filesystem } from './agent.js';

// Pacemaker's timeout runs from the fork: the deadline counts node's start-up too (performance.timeOrigin)
process.exitCode = await runAgent(filesystem, { argv: process.argv.slice(2), env: process.env, stdout: process.stdout, stderr: process.stderr, startedAt: performance.timeOrigin });
