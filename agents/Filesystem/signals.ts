// SPDX-License-Identifier: GPL-2.0-or-later
import { constants } from 'node:os';

const BY_NUMBER = new Map<number, NodeJS.Signals>(
  Object.entries(constants.signals).map(([name, number]) => [number, name as NodeJS.Signals]),
);

/** `TERM`, `SIGTERM`, `15`, several separated by spaces or commas; returns the problem for anything else. */
export function parseSignals(text: string): { ok: true; signals: NodeJS.Signals[] } | { ok: false; problem: string } {
  const signals: NodeJS.Signals[] = [];
  for (const word of text.split(/[\s,]+/).filter(Boolean)) {
    const upper = word.toUpperCase();
    const name = /^\d+$/.test(word) ? BY_NUMBER.get(Number(word)) : ((upper.startsWith('SIG') ? upper : `SIG${upper}`) as NodeJS.Signals);
    if (name === undefined || !(name in constants.signals) || name === 'SIGSTOP' || name === 'SIGCONT') {
      return { ok: false, problem: `\`${word}\` is not a signal that ends a process` };
    }
    signals.push(name);
  }
  if (signals.length === 0) return { ok: false, problem: 'no signal given' };
  return { ok: true, signals };
}
