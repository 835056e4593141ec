// SPDX-License-Identifier: GPL-2.0-or-later
// `drbdsim [--json] [RESOURCE]`: the simulated DRBD state of every node in the shared state folder.
import { simEnv } from './config.js';
import { collect, describe } from './inspect.js';

async function main(argv: string[]): Promise<void> {
  const json = argv.includes('--json');
  const only = argv.find((a) => !a.startsWith('-'));
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write('usage: drbdsim [--json] [RESOURCE]\nprints the simulated DRBD state of every node (TSHA_DRBDSIM_STATE)\n');
    return;
  }
  const states = await collect(simEnv(process.env).stateDir, only);
  process.stdout.write(json ? `${JSON.stringify(states, null, 2)}\n` : describe(states));
}

await main(process.argv.slice(2));
