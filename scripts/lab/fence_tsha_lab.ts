// SPDX-License-Identifier: GPL-2.0-or-later
// Entry of the fence agent /usr/sbin/fence_tsha_lab (see fence.ts).
import { fence, parseFenceOptions } from './fence.js';

async function readStdin(): Promise<string> {
  // as fence-agents do: options come from the command line, or else from stdin, where Pacemaker writes them and
  // closes it
  if (process.argv.length > 2 || process.stdin.isTTY) return '';
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

const result = await fence(parseFenceOptions(process.argv.slice(2), await readStdin()));
process.stdout.write(result.stdout);
process.stderr.write(result.stderr);
process.exitCode = result.rc;
