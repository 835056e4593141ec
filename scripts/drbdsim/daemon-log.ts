// SPDX-License-Identifier: GPL-2.0-or-later
// The resource daemon's log: timestamped lines on its stdout, which startDaemon points at <state>/nodes/<node>/<res>.log.

export function log(...parts: unknown[]): void {
  process.stdout.write(`${new Date().toISOString()} ${parts.map((p) => (typeof p === 'string' ? p : JSON.stringify(p))).join(' ')}\n`);
}
