// SPDX-License-Identifier: GPL-2.0-or-later
// Side-by-side timing for benchmarks: candidates run interleaved (a, b, a, b, ...) in one process so that the
// machine's noise falls on both alike; results are medians and ratios, never absolute assertions.
import { execa } from 'execa';

export type Candidate = {
  readonly label: string;
  readonly file: string;
  readonly args: readonly string[];
  /** The whole environment besides PATH: candidates run as Pacemaker runs agents, without this shell's variables. */
  readonly env?: Readonly<Record<string, string>>;
  /** Exit code every run must return, so a broken candidate cannot look fast. */
  readonly expectRc?: number;
};

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Wall-clock ms of each run, per candidate, runs interleaved. */
export async function timeInterleaved(candidates: readonly Candidate[], runs: number): Promise<Map<string, number[]>> {
  const times = new Map<string, number[]>(candidates.map((c) => [c.label, []]));
  for (let i = 0; i < runs; i++) {
    for (const c of candidates) {
      const started = process.hrtime.bigint();
      // Nothing inherited: a NODE_EXTRA_CA_CERTS from a login shell alone adds ~30 ms to every node start.
      const env = { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin', LC_ALL: 'C', ...c.env };
      const result = await execa(c.file, [...c.args], { reject: false, extendEnv: false, env, stdin: 'ignore' });
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      if (c.expectRc !== undefined && result.exitCode !== c.expectRc) {
        throw new Error(`${c.label}: rc ${result.exitCode}, expected ${c.expectRc}: ${result.stderr.slice(0, 300)}`);
      }
      times.get(c.label)!.push(ms);
    }
  }
  return times;
}

/** Prints `label  median ms` for each, then `a/b = ratio` for each pair given. */
export function report(times: Map<string, number[]>, ratios: readonly [string, string][]): void {
  for (const [label, values] of times) console.log(`${label.padEnd(44)} median ${median(values).toFixed(1).padStart(7)} ms  (n=${values.length})`);
  for (const [a, b] of ratios) {
    console.log(`ratio ${a} / ${b}: ${(median(times.get(a)!) / median(times.get(b)!)).toFixed(2)}`);
  }
}
