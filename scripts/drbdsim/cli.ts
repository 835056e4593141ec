// SPDX-License-Identifier: GPL-2.0-or-later
// Shared main() of the drbdadm and drbdsetup entry points.
import { simEnv } from './config.js';
import type { Io, Output } from './setup-cmds.js';
import type { SimEnv } from './config.js';

export async function runCli(fn: (sim: SimEnv, argv: string[], io: Io) => Promise<Output>): Promise<void> {
  // a reader that goes away (events2 | head) ends a streaming command quietly
  process.stdout.on('error', () => process.exit(0));
  const io: Io = {
    write: (text) => void process.stdout.write(text),
    isTTY: Boolean(process.stdout.isTTY),
    columns: process.stdout.columns,
  };
  try {
    const out = await fn(simEnv(process.env), process.argv.slice(2), io);
    if (out.stdout) process.stdout.write(out.stdout);
    if (out.stderr) process.stderr.write(out.stderr);
    process.exitCode = out.rc;
  } catch (error) {
    process.stderr.write(`drbdsim: ${(error as Error).message}\n`);
    process.exitCode = 20;
  }
}
