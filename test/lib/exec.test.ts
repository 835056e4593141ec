// SPDX-License-Identifier: GPL-2.0-or-later
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { createDeadline } from '../../lib/deadline.js';
import { createExec, describeCommand, firstLine } from '../../lib/exec.js';
import { OcfExit } from '../../lib/ocf/exit-codes.js';
import { OcfError } from '../../lib/ocf/errors.js';
import { silentLogger } from '../../lib/log.js';
import { isAlive } from '../../scripts/lab/sys.js';

describe('lib/exec (deadline-aware commands)', function () {
  this.timeout(15_000);
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'tsha-exec-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('runs a command with arguments as data, never through a shell', async () => {
    const exec = createExec(createDeadline(10_000, Date.now()), silentLogger);
    const result = await exec.run('printf', ['%s|', '$(id)', 'a b', '`x`;']);
    expect(result).to.include({ ok: true, exitCode: 0, stdout: '$(id)|a b|`x`;|', timedOut: false });
  });

  it('passes standard input and sets LC_ALL=C', async () => {
    const exec = createExec(createDeadline(10_000, Date.now()), silentLogger);
    expect((await exec.run('cat', [], { input: 'hello\n' })).stdout).to.equal('hello\n');
    expect((await exec.run('printenv', ['LC_ALL'])).stdout).to.equal('C\n');
  });

  it('turns a missing program into ERR_INSTALLED naming it', async () => {
    const exec = createExec(createDeadline(10_000, Date.now()), silentLogger);
    const error = await exec.run('no-such-program-tsha', []).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(OcfError);
    expect((error as OcfError).code).to.equal(OcfExit.ERR_INSTALLED);
    expect((error as OcfError).reason).to.include('`no-such-program-tsha`');
  });

  it('check() throws ERR_GENERIC with the command and its first error line', async () => {
    const exec = createExec(createDeadline(10_000, Date.now()), silentLogger);
    const error = (await exec.check('sh', ['-c', 'echo "bad thing" >&2; exit 3']).catch((e: unknown) => e)) as OcfError;
    expect(error.code).to.equal(OcfExit.ERR_GENERIC);
    expect(error.reason).to.equal('`sh -c "echo \\"bad thing\\" >&2; exit 3"` failed (rc 3): bad thing');
  });

  it('kills the command and everything it forked when the operation deadline comes', async () => {
    const timeoutMs = 2_000;
    const exec = createExec(createDeadline(timeoutMs, Date.now()), silentLogger);
    const pidFile = path.join(dir, 'child');
    const started = Date.now();
    const result = await exec.run('sh', ['-c', `sleep 60 & echo $! > ${pidFile}; wait`]);
    const elapsed = Date.now() - started;
    expect(result.timedOut).to.equal(true);
    expect(result.ok).to.equal(false);
    expect(elapsed).to.be.below(timeoutMs); // before Pacemaker's own SIGKILL at the timeout
    const child = Number(await readFile(pidFile, 'utf8'));
    expect(isAlive(child)).to.equal(false);
  });

  it('refuses to start a command when no time is left', async () => {
    const exec = createExec(createDeadline(1_000, Date.now() - 5_000), silentLogger);
    const error = (await exec.run('true', []).catch((e: unknown) => e)) as OcfError;
    expect(error.code).to.equal(OcfExit.ERR_GENERIC);
    expect(error.reason).to.match(/no time left/);
  });

  it('watch() hands each stdout line to onLine in order, whatever the chunks, the last one without newline too', async () => {
    const exec = createExec(createDeadline(10_000, Date.now()), silentLogger);
    const lines: string[] = [];
    // the pauses make separate chunks: a line cut in two, several lines in one chunk, an unterminated end
    const script = 'printf "a\\n"; sleep 0.2; printf "b"; sleep 0.2; printf "c\\n\\nd\\ne"';
    const result = await exec.watch('sh', ['-c', script], (line) => {
      lines.push(line);
      return false;
    });
    expect(lines).to.deep.equal(['a', 'bc', '', 'd', 'e']);
    expect(result).to.include({ ended: 'exited', exitCode: 0 });
  });

  it('watch() stops at the line onLine matches (no line after it) and kills the command', async () => {
    const exec = createExec(createDeadline(10_000, Date.now()), silentLogger);
    const lines: string[] = [];
    const result = await exec.watch('sh', ['-c', 'echo one; echo two; echo three; sleep 60'], (line) => {
      lines.push(line);
      return line === 'two';
    });
    expect(lines).to.deep.equal(['one', 'two']);
    expect(result).to.include({ ended: 'matched', exitCode: undefined });
    // an unterminated last line can match too
    const last = await exec.watch('printf', ['x\\nready'], (line) => line === 'ready');
    expect(last).to.include({ ended: 'matched', exitCode: undefined });
  });

  it('watch() ends with timeout when no line matches in time', async () => {
    const exec = createExec(createDeadline(10_000, Date.now()), silentLogger);
    const result = await exec.watch('sh', ['-c', 'echo waiting; sleep 60'], () => false, { timeoutMs: 300 });
    expect(result).to.include({ ended: 'timeout', exitCode: undefined });
  });

  it('describes commands and first lines for exit reasons', () => {
    expect(describeCommand('ip', ['addr', 'add', '10.0.0.1/24', 'label x y'])).to.equal('ip addr add 10.0.0.1/24 "label x y"');
    expect(firstLine('\n  \n first \nsecond')).to.equal('first');
  });
});

describe('lib/deadline', () => {
  it('ends a margin before the operation timeout', async () => {
    const { createDeadline: make, marginFor } = await import('../../lib/deadline.js');
    let now = 1_000;
    const deadline = make(20_000, 1_000, () => now);
    expect(marginFor(20_000)).to.equal(1_000);
    expect(marginFor(500)).to.equal(100);
    expect(deadline.remaining()).to.equal(19_000);
    now = 19_500;
    expect(deadline.remaining()).to.equal(500);
    expect(deadline.expired()).to.equal(false);
    now = 20_000;
    expect(deadline.expired()).to.equal(true);
    expect(deadline.remaining()).to.equal(0);
  });
});
