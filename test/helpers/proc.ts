// SPDX-License-Identifier: GPL-2.0-or-later
import { readFileSync } from 'node:fs';

/**
 * Whether a process still runs. A zombie counts as dead: on this machine PID 1 does not always reap orphans,
 * so a killed process can linger as a zombie.
 */
export function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}
