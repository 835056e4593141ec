// SPDX-License-Identifier: GPL-2.0-or-later
// `drbdsim [--json] [RESOURCE]`: the simulated DRBD state of every node in the shared state folder.
import { queryDaemon } from './client.js';
import { simEnv } from './config.js';
import { collect, describe } from './inspect.js';

const USAGE =
  'usage: drbdsim [--json] [RESOURCE]      prints the simulated DRBD state of every node (TSHA_DRBDSIM_STATE)\n' +
  '       drbdsim fail-disk RESOURCE       an I/O error on this node\'s backing disk: Failed, then Diskless\n';

async function main(argv: string[]): Promise<void> {
  const json = argv.includes('--json');
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(USAGE);
    return;
  }
  const sim = simEnv(process.env);
  if (argv[0] === 'fail-disk') {
    const res = argv[1];
    if (!res) {
      process.stderr.write(USAGE);
      process.exitCode = 1;
      return;
    }
    const reply = await queryDaemon(sim.stateDir, sim.hostname, res, { op: 'fail-disk' }).catch(() => undefined);
    if (!reply || reply.rc !== 0) {
      process.stderr.write(`${res}: ${reply && 'error' in reply ? reply.error.text : 'not up on this node'}\n`);
      process.exitCode = reply?.rc || 10;
    }
    return;
  }
  const only = argv.find((a) => !a.startsWith('-'));
  const states = await collect(sim.stateDir, only);
  process.stdout.write(json ? `${JSON.stringify(states, null, 2)}\n` : describe(states));
}

// no top-level await: the entry points are also bundled as CommonJS (bundle.mjs)
void main(process.argv.slice(2));
