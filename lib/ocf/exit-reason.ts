// SPDX-License-Identifier: GPL-2.0-or-later
export const DEFAULT_EXIT_REASON_PREFIX = 'ocf-exit-reason:';
// Pacemaker 2.1.5 keeps the last reason line only, and at most 128 characters of it.
export const EXIT_REASON_MAX = 128;

/** One line, control characters folded to spaces, capped at what Pacemaker keeps. */
export function formatExitReason(reason: string, prefix: string = DEFAULT_EXIT_REASON_PREFIX): string {
  const oneLine = reason.replace(/[\u0000-\u001f\u007f]+/g, ' ').replace(/ {2,}/g, ' ').trim();
  const capped = oneLine.length > EXIT_REASON_MAX ? `${oneLine.slice(0, EXIT_REASON_MAX - 3)}...` : oneLine;
  return `${prefix}${capped}\n`;
}

export function exitReasonPrefix(env: NodeJS.ProcessEnv): string {
  return env.OCF_EXIT_REASON_PREFIX || DEFAULT_EXIT_REASON_PREFIX;
}

/** The ocf-exit-reason lines of an agent's stderr: the last one (what Pacemaker keeps) and how many there were. */
export function parseExitReasons(stderr: string, prefix: string = DEFAULT_EXIT_REASON_PREFIX): { reason: string | undefined; lines: number } {
  const lines = stderr.split('\n').filter((l) => l.startsWith(prefix));
  return { reason: lines.at(-1)?.slice(prefix.length), lines: lines.length };
}
