// SPDX-License-Identifier: GPL-2.0-or-later
import { runAgent } from '../../lib/ocf/run.js';
import { drbd } from './agent.js';

process.exitCode = await runAgent(drbd, { argv: process.argv.slice(2), env: process.env, stdout: process.stdout, stderr: process.stderr });
