// SPDX-License-Identifier: GPL-2.0-or-later
// The test runner itself, on small suites written here: its closing line comes last and counts what went wrong
// after mocha's end.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { execa } from 'execa';

const RUNNER = fileURLToPath(new URL('../../../scripts/run-tests.mjs', import.meta.url));

async function runSuite(source: string) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tsha-runner-'));
  try {
    writeFileSync(path.join(dir, 'suite.test.js'), source);
    const result = await execa(process.execPath, [RUNNER, dir], { reject: false, all: true, env: { TSHA_NODE_LINES: '', TSHA_COUNTS_FILE: '', TSHA_GREP: '' } });
    return { exitCode: result.exitCode, lines: result.all.trim().split('\n') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('scripts/run-tests.mjs', function () {
  this.timeout(30_000);

  it('ends with `N passed, N failed[, N skipped]` and exit 0 when all passed', async () => {
    const run = await runSuite("describe('s', () => { it('passes', () => {}); it('is pending'); });\n");
    expect(run.lines.at(-1)).to.equal('1 passed, 0 failed, 1 skipped');
    expect(run.exitCode).to.equal(0);
  });

  for (const [what, late] of [
    ['an exception', "throw new Error('late boom')"],
    ['a rejection', "Promise.reject(new Error('late boom'))"],
  ]) {
    it(`counts ${what} thrown after mocha's end as a failure, and prints its line after it`, async () => {
      const run = await runSuite(`describe('s', () => { it('passes, leaving work behind', () => { setTimeout(() => { ${late}; }, 200); }); });\n`);
      expect(run.lines.at(-1)).to.equal('1 passed, 1 failed');
      expect(run.exitCode).to.equal(1);
      const error = run.lines.findIndex((l) => l.includes('after the tests ended (counted as a failure)'));
      expect(error).to.be.greaterThan(-1);
      expect(run.lines.slice(error).join('\n')).to.include('late boom');
    });
  }
});
