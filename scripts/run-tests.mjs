// Runs the compiled mocha tests and ends with the one line CI reads: `N passed, N failed[, N skipped]`.
// Arguments: folders or files under dist/test to run (default: all); TSHA_GREP filters by title.
import { readdirSync, statSync } from 'node:fs';
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

const roots = process.argv.slice(2).filter(Boolean);
const files = (roots.length > 0 ? roots : ['dist/test']).flatMap((root) => collect(root, []));
const mocha = new Mocha({ reporter: 'spec', timeout: 60_000, forbidOnly: process.env.CI === 'true' });
if (process.env.TSHA_GREP) mocha.grep(process.env.TSHA_GREP);
for (const file of files) mocha.addFile(file);
await mocha.loadFilesAsync();
const counts = { passed: 0, failed: 0, skipped: 0 };
const runner = mocha.run();
runner.on('pass', () => counts.passed++);
runner.on('fail', () => counts.failed++);
runner.on('pending', () => counts.skipped++);
runner.on('end', () => {
  const ran = counts.passed + counts.failed;
  if (ran === 0) counts.failed++; // a run that tested nothing is a failure
  const skipped = counts.skipped > 0 ? `, ${counts.skipped} skipped` : '';
  console.log(`${counts.passed} passed, ${counts.failed} failed${skipped}`);
  process.exitCode = counts.failed > 0 ? 1 : 0;
});
