// SPDX-License-Identifier: GPL-2.0-or-later
// The real drbd-utils captures of test/fixtures/drbd/captures, split into their runs. Shared with the simulator's
// comparison (test/scripts/drbdsim/captures.test.ts).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dir = fileURLToPath(new URL('../../../../test/fixtures/drbd/captures/', import.meta.url));

/** One run of a command in a capture file: the separator's text and the output lines (comments removed). */
export type Run = { readonly title: string; readonly lines: readonly string[] };

// `# ----` / `# =====` (and 03-'s `# ---`) start a run; every other `#` line is the collector's note.
const SEPARATOR = /^# (?:-{3,}|={3,}) ?(.*?) ?(?:-{3,}|={3,})?$/;

/** The `# source:` line of a capture (kept in the file's header). */
export function captureSource(file: string): string {
  const line = readFileSync(`${dir}${file}`, 'utf8').split('\n').find((l) => l.startsWith('# source:'));
  if (!line) throw new Error(`${file} has no # source: line`);
  return line;
}

/** The runs of a capture file, in file order; runs without output are dropped. */
export function captureRuns(file: string): Run[] {
  const runs: { title: string; lines: string[] }[] = [{ title: '', lines: [] }];
  for (const line of readFileSync(`${dir}${file}`, 'utf8').split('\n')) {
    const separator = SEPARATOR.exec(line);
    if (separator) runs.push({ title: separator[1] ?? '', lines: [] });
    else if (!line.startsWith('#')) runs.at(-1)!.lines.push(line);
  }
  return runs.filter((run) => run.lines.some((l) => l.trim() !== ''));
}

/** The run titled `part`, or else the one run whose title contains it (a unique part of the title). */
export function captureRun(file: string, part: string): Run {
  const runs = captureRuns(file);
  const exact = runs.filter((run) => run.title === part);
  const found = exact.length > 0 ? exact : runs.filter((run) => run.title.includes(part));
  if (found.length !== 1) throw new Error(`${file}: ${found.length} runs titled like \`${part}\``);
  return found[0]!;
}

/** The run's output as the command printed it (for the text parsers). */
export const runText = (run: Run): string => `${run.lines.join('\n')}\n`;

// drbd-utils' own tests replace the --timestamps prefix by `TIME` (07-); put a real one back.
const untime = (line: string): string => line.replace(/^TIME /, '2025-08-20T10:00:00.000000+00:00 ');

/** The events2 lines of a run, up to and including the first that contains `at`. */
export function events2Lines(run: Run, at?: string): string[] {
  const lines = run.lines.map(untime);
  if (at === undefined) return lines;
  const end = lines.findIndex((l) => l.includes(at));
  if (end < 0) throw new Error(`no line with \`${at}\` in ${run.title}`);
  return lines.slice(0, end + 1);
}

/** The n-th output of a resource in a status run (each output starts with the resource's own line). */
export function statusOutput(run: Run, resource: string, part = 0): string {
  const starts = run.lines.flatMap((l, i) => (l.split(' ')[0] === resource ? [i] : []));
  if (starts.length > 1 && part >= starts.length) throw new Error(`${run.title}: no output ${part} of ${resource}`);
  if (starts.length <= 1) return runText(run);
  return runText({ title: run.title, lines: run.lines.slice(starts[part], starts[part + 1]) });
}
