// Runs the compiled mocha tests and ends with the one line CI reads: `N passed, N failed[, N skipped]`.
// Arguments: folders or files under dist/test to run (default: all); TSHA_GREP filters by title.
// TSHA_NODE_LINES="22 24" runs TSHA_NODE_LINE_TESTS (folders or files, space-separated) again under each of those
// Node.js lines (scripts/node-lines.sh fetches them) once this run is over; their counts join the closing line.
// The line is printed only when everything is over: an error that arrives after mocha's end (an uncaught
// exception, an unhandled rejection, from a test that left work behind) counts as a failure, and so does an
// unhandled rejection during the run.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Mocha from 'mocha';

function collect(entry, out) {
  if (statSync(entry).isDirectory()) {
    for (const name of readdirSync(entry).sort()) collect(path.join(entry, name), out);
  } else if (entry.endsWith('.test.js')) {
    out.push(path.resolve(entry));
  }
  return out;
}

const words = (text) => (text ?? '').split(/\s+/).filter(Boolean);

/** Runs the given tests under another node; its counts, or one failure when it gave none. */
async function runUnder(line, node, tests) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tsha-counts-'));
  const countsFile = path.join(dir, 'counts.json');
  try {
    const child = spawn(node, [process.argv[1], ...tests], {
      stdio: 'inherit',
      env: { ...process.env, TSHA_NODE_LINES: '', TSHA_COUNTS_FILE: countsFile, TSHA_RUN_LABEL: `node ${line}` },
    });
    const code = await new Promise((resolve) => child.on('close', resolve).on('error', () => resolve(-1)));
    try {
      return JSON.parse(readFileSync(countsFile, 'utf8'));
    } catch {
      console.error(`node ${line}: the run ended (exit ${code}) without counts`);
      return { passed: 0, failed: 1, skipped: 0 };
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The given tests under each of the given Node.js lines, their counts added to this run's. */
async function runNodeLines(lines, tests) {
  if (lines.length === 0) return;
  if (tests.length === 0) throw new Error('TSHA_NODE_LINES without TSHA_NODE_LINE_TESTS: which tests?');
  const nodes = execFileSync('sh', [path.join(path.dirname(process.argv[1]), 'node-lines.sh'), ...lines], { encoding: 'utf8' }).trim().split('\n');
  for (const [i, line] of lines.entries()) {
    console.log(`\n== ${tests.length} test folders and files again, under Node.js ${line}`);
    const other = await runUnder(line, nodes[i], tests);
    for (const key of Object.keys(counts)) counts[key] += other[key];
  }
}

const roots = process.argv.slice(2).filter(Boolean);
const files = (roots.length > 0 ? roots : ['dist/test']).flatMap((root) => collect(root, []));
const mocha = new Mocha({ reporter: 'spec', timeout: 60_000, forbidOnly: process.env.CI === 'true' });
if (process.env.TSHA_GREP) mocha.grep(process.env.TSHA_GREP);
for (const file of files) mocha.addFile(file);
await mocha.loadFilesAsync();
const counts = { passed: 0, failed: 0, skipped: 0 };
let ended = false;
const runner = mocha.run(() => {
  ended = true;
  // from here on mocha's own handlers would rethrow a late error and end the process before the closing line
  runner.dispose();
});
runner.on('pass', () => counts.passed++);
runner.on('fail', () => counts.failed++);
runner.on('pending', () => counts.skipped++);

// An uncaught exception while mocha runs fails the running test (mocha's handler); after its end, and any
// unhandled rejection (mocha passes on those from test code without counting them), is a failure of its own.
const failure = (kind) => (error) => {
  counts.failed++;
  console.error(`${kind}${ended ? ' after the tests ended' : ''} (counted as a failure):`, error);
};
process.on('uncaughtException', (error) => ended && failure('uncaught exception')(error));
process.on('unhandledRejection', failure('unhandled rejection'));

// when nothing is left to run: mocha is over and so is whatever its tests started
process.once('beforeExit', async () => {
  if (!ended) counts.failed++; // the loop emptied with mocha unfinished: a test waited on something never coming
  if (counts.passed + counts.failed === 0) counts.failed++; // a run that tested nothing is a failure
  try {
    await runNodeLines(words(process.env.TSHA_NODE_LINES), words(process.env.TSHA_NODE_LINE_TESTS));
  } catch (error) {
    counts.failed++;
    console.error('the runs under other Node.js lines failed:', error);
  }
  const skipped = counts.skipped > 0 ? `, ${counts.skipped} skipped` : '';
  if (process.env.TSHA_COUNTS_FILE) {
    // a run under another line (above): its counts go to the run that started it, in words CI does not read
    writeFileSync(process.env.TSHA_COUNTS_FILE, JSON.stringify(counts));
    console.log(`${process.env.TSHA_RUN_LABEL ?? 'this run'} (${process.version}): ${counts.passed} passing, ${counts.failed} failing${skipped}`);
  } else {
    console.log(`${counts.passed} passed, ${counts.failed} failed${skipped}`);
  }
  process.exitCode = counts.failed > 0 ? 1 : 0;
});
