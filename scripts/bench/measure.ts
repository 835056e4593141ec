// SPDX-License-Identifier: GPL-2.0-or-later
// Side-by-side measurement for benchmarks: candidates run interleaved (a, b, a, b, ...) in one process so that the
// machine's noise falls on both alike; results are medians and ratios, never pass/fail. Each run's wall time, CPU
// (user+sys of the whole process tree: wait4's rusage of the child, which includes every descendant it reaped) and
// peak RSS come from a small resident python3 runner (Node cannot wait4). Each run goes through GNU time for the
// RSS only: a process's maxrss starts at the RSS of the process it was forked from, python's 9.5 MiB would hide a
// shell agent's; GNU time's own is ~2 MiB, and its CPU (< 1 ms, in every candidate alike) is counted. Its %U/%S
// are in hundredths of a second, so CPU comes from python's wait4.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';

export type Candidate = {
  readonly label: string;
  readonly file: string;
  readonly args: readonly string[];
  /** The whole environment: candidates run as Pacemaker runs agents (env -i, OCF variables), plus PATH. */
  readonly env?: Readonly<Record<string, string>>;
  /** Exit code every run must return, so a broken candidate cannot look fast. */
  readonly expectRc?: number;
};

export type Sample = {
  readonly rc: number;
  readonly wallMs: number;
  readonly cpuMs: number;
  readonly rssKiB: number;
  /** The end of the run's stderr. */
  readonly stderr: string;
};

export type Summary = { readonly n: number; readonly wallMs: number; readonly cpuMs: number; readonly rssKiB: number };

export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Medians of each measure, each taken on its own. */
export function summarize(samples: readonly Sample[]): Summary {
  return {
    n: samples.length,
    wallMs: median(samples.map((s) => s.wallMs)),
    cpuMs: median(samples.map((s) => s.cpuMs)),
    rssKiB: median(samples.map((s) => s.rssKiB)),
  };
}

/** a/b, or undefined when either is missing or b is not positive. */
export function ratio(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined || b === undefined || !Number.isFinite(a) || !Number.isFinite(b) || b <= 0 ? undefined : a / b;
}

export function fmtRatio(r: number | undefined): string {
  return r === undefined ? '-' : `${r.toFixed(2)}x`;
}

export function fmtNum(v: number | undefined, digits = 1): string {
  return v === undefined || !Number.isFinite(v) ? '-' : v.toFixed(digits);
}

/** CPU seconds per hour of a monitor costing cpuMs, run every intervalS seconds for each of n resources. */
export function cpuSecondsPerHour(cpuMs: number, intervalS: number, n: number): number {
  return (cpuMs / 1000) * (3600 / intervalS) * n;
}

/**
 * Columns aligned: text left, numbers (cells that parse as a number, or end in x) right. A row of one cell is
 * printed whole (a note or a section line).
 */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.filter((r) => r.length > 1).map((r) => (r[i] ?? '').length)));
  const numeric = (cell: string): boolean => /^-?[\d.]+x?$|^-$/.test(cell);
  const line = (cells: readonly string[]): string =>
    cells.map((c, i) => (i < 2 || !numeric(c) ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return [line(header), rule, ...rows.map((r) => (r.length === 1 ? `  ${r[0]}` : line(r)))].join('\n');
}

/** The absolute path of a program, searched like execvp does (the runner spawns without a PATH search). */
export function which(file: string, searchPath = `${process.env.PATH ?? ''}:/usr/sbin:/usr/bin:/sbin:/bin`): string {
  if (file.includes('/')) return file;
  for (const dir of searchPath.split(':').filter(Boolean)) {
    const full = path.join(dir, file);
    try {
      accessSync(full, constants.X_OK);
      return full;
    } catch {
      // next
    }
  }
  throw new Error(`${file} not found in PATH`);
}

// One job a line in, one result a line out. posix_spawn + wait4: rusage of the child's whole reaped tree.
const RUNNER = `
import json, os, sys, time
TIME = '/usr/bin/time'
for line in sys.stdin:
    job = json.loads(line)
    fa = [(os.POSIX_SPAWN_OPEN, 0, '/dev/null', os.O_RDONLY, 0),
          (os.POSIX_SPAWN_OPEN, 1, job['out'], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600),
          (os.POSIX_SPAWN_OPEN, 2, job['err'], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)]
    t0 = time.monotonic_ns()
    try:
        pid = os.posix_spawn(TIME, [TIME, '-f', '%M', '-o', job['rss'], job['file']] + job['argv'][1:], job['env'], file_actions=fa, setpgroup=0)
    except OSError as e:
        print(json.dumps({'error': str(e)}), flush=True)
        continue
    _, status, ru = os.wait4(pid, 0)
    t1 = time.monotonic_ns()
    with open(job['err'], 'rb') as f:
        f.seek(0, 2)
        f.seek(max(0, f.tell() - 2000))
        err = f.read().decode('utf-8', 'replace')
    with open(job['rss']) as f:
        rss = int(f.read().split()[-1])
    print(json.dumps({'rc': os.waitstatus_to_exitcode(status), 'wall': (t1 - t0) / 1e6,
                      'cpu': (ru.ru_utime + ru.ru_stime) * 1000, 'rss': rss, 'err': err}), flush=True)
`;

export const DEFAULT_PATH = '/usr/sbin:/usr/bin:/sbin:/bin';

/** The resident runner; one run at a time. close() it in a finally. */
export class Runner {
  private constructor(
    private readonly child: ChildProcessWithoutNullStreams,
    private readonly lines: AsyncIterator<string>,
    private readonly dir: string,
  ) {}

  static async create(): Promise<Runner> {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'tsha-bench-runner-'));
    const child = spawn(which('python3', DEFAULT_PATH), ['-I', '-S', '-c', RUNNER], { stdio: ['pipe', 'pipe', 'pipe'] });
    child.stderr.on('data', (d: Buffer) => process.stderr.write(d));
    return new Runner(child, createInterface({ input: child.stdout })[Symbol.asyncIterator](), dir);
  }

  /** One run; throws when the candidate's exit code is not the expected one. */
  async run(c: Candidate): Promise<Sample> {
    const sample = await this.runOnce(c);
    if (c.expectRc !== undefined && sample.rc !== c.expectRc) {
      throw new Error(`${c.label}: rc ${sample.rc}, expected ${c.expectRc}: ${sample.stderr.trim().split('\n').slice(-3).join(' | ')}`);
    }
    return sample;
  }

  /** One run, whatever its exit code. */
  async runOnce(c: Candidate): Promise<Sample> {
    const env = { PATH: DEFAULT_PATH, ...c.env };
    const job = {
      file: which(c.file, env.PATH),
      argv: [c.file, ...c.args],
      env,
      out: path.join(this.dir, 'stdout'),
      err: path.join(this.dir, 'stderr'),
      rss: path.join(this.dir, 'rss'),
    };
    this.child.stdin.write(`${JSON.stringify(job)}\n`);
    const next = await this.lines.next();
    if (next.done) throw new Error('the bench runner (python3) ended');
    const r = JSON.parse(next.value) as { rc: number; wall: number; cpu: number; rss: number; err: string; error?: string };
    if (r.error) throw new Error(`${c.label}: ${r.error}`);
    return { rc: r.rc, wallMs: r.wall, cpuMs: r.cpu, rssKiB: r.rss, stderr: r.err };
  }

  /** Every candidate once per round, in the order given, for `runs` rounds. */
  async interleave(candidates: readonly Candidate[], runs: number): Promise<Map<string, Sample[]>> {
    const samples = new Map<string, Sample[]>(candidates.map((c) => [c.label, []]));
    for (let i = 0; i < runs; i++) {
      for (const c of candidates) samples.get(c.label)!.push(await this.run(c));
    }
    return samples;
  }

  async close(): Promise<void> {
    this.child.stdin.end();
    await new Promise((resolve) => (this.child.exitCode !== null ? resolve(undefined) : this.child.once('exit', resolve)));
    await rm(this.dir, { recursive: true, force: true });
  }
}
