// SPDX-License-Identifier: GPL-2.0-or-later
// The resource daemon's log: timestamped lines on its stdout, which startDaemon points at <state>/nodes/<node>/<res>.log.

export type Log = (...parts: unknown[]) => void;

export const log: Log = (...parts) => {
  process.stdout.write(`${new Date().toISOString()} ${parts.map((p) => (typeof p === 'string' ? p : JSON.stringify(p))).join(' ')}\n`);
};
