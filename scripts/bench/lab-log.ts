// SPDX-License-Identifier: GPL-2.0-or-later
// The lab nodes' pacemaker.log read from a mark: what the benches time against Pacemaker's own account.
import { open, stat } from 'node:fs/promises';
import path from 'node:path';
import type { LabHandle } from '../lab/index.js';
import { sleep } from '../lab/sys.js';
import { parseLog, type LogEvent } from './pacemaker-log.js';

/** Where each node's log ends now (bytes). */
export type LogMark = Record<string, number>;

export const pacemakerLog = (lab: LabHandle, node: string): string => path.join(lab.plan.logDir, node, 'pacemaker', 'pacemaker.log');

export async function markLogs(lab: LabHandle, nodes: readonly string[] = lab.plan.nodes.map((n) => n.name)): Promise<LogMark> {
  const mark: LogMark = {};
  for (const n of nodes) mark[n] = (await stat(pacemakerLog(lab, n)).catch(() => ({ size: 0 }))).size;
  return mark;
}

async function readFrom(file: string, offset: number): Promise<string> {
  const handle = await open(file, 'r').catch(() => undefined);
  if (!handle) return '';
  try {
    const { size } = await handle.stat();
    const buffer = Buffer.alloc(Math.max(0, size - offset));
    await handle.read(buffer, 0, buffer.length, offset);
    return buffer.toString('utf8');
  } finally {
    await handle.close();
  }
}

/** The events logged since the mark on its nodes, merged in time order. */
export async function eventsSince(lab: LabHandle, mark: LogMark): Promise<LogEvent[]> {
  // the log is written line by line; a moment lets the last lines of the transition land
  await sleep(500);
  const year = new Date().getFullYear();
  const all = (await Promise.all(Object.entries(mark).map(async ([n, o]) => parseLog(await readFrom(pacemakerLog(lab, n), o), year)))).flat();
  return all.sort((a, b) => a.at - b.at);
}
