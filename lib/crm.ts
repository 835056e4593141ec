// SPDX-License-Identifier: GPL-2.0-or-later
// Pacemaker's command-line helpers, bounded by the operation's deadline like any other command.
import type { Exec } from './exec.js';
import type { Logger } from './log.js';

/**
 * Sets this instance's promotion score (`crm_attribute --promotion`, Pacemaker 2.1's name for crm_master).
 * Without a cluster the score cannot be set: that is logged as a warning and is not a failure.
 */
export async function setPromotionScore(exec: Exec, log: Logger, score: number): Promise<boolean> {
  const result = await exec.run('crm_attribute', ['--promotion', '-l', 'reboot', '-v', String(score)]);
  if (!result.ok) log.warn('could not set the promotion score', { score, stderr: result.stderr.trim() });
  return result.ok;
}

export async function deletePromotionScore(exec: Exec, log: Logger): Promise<boolean> {
  const result = await exec.run('crm_attribute', ['--promotion', '-l', 'reboot', '-D']);
  if (!result.ok) log.warn('could not delete the promotion score', { stderr: result.stderr.trim() });
  return result.ok;
}
