// SPDX-License-Identifier: GPL-2.0-or-later
import { expect } from 'chai';
import { exitName, isOcfExitCode, OcfExit } from '../../../lib/ocf/exit-codes.js';
import { EXIT_REASON_MAX, exitReasonPrefix, formatExitReason, parseExitReasons } from '../../../lib/ocf/exit-reason.js';

describe('lib/ocf exit codes and exit reasons', () => {
  it('has the OCF 1.1 codes with their names', () => {
    expect(Object.values(OcfExit)).to.deep.equal([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 190, 191]);
    expect(exitName(8)).to.equal('OCF_RUNNING_PROMOTED');
    expect(exitName(191)).to.equal('OCF_DEGRADED_PROMOTED');
    expect(exitName(42)).to.equal('unknown');
    expect(isOcfExitCode(190)).to.equal(true);
    expect(isOcfExitCode(10)).to.equal(false);
  });

  it('writes one line with the prefix', () => {
    expect(formatExitReason('first\nsecond\r\nthird')).to.equal('ocf-exit-reason:first second third\n');
  });

  it(`caps the reason at ${EXIT_REASON_MAX} characters, as Pacemaker keeps no more`, () => {
    const line = formatExitReason('x'.repeat(300));
    expect(line.length).to.equal('ocf-exit-reason:'.length + EXIT_REASON_MAX + 1);
    expect(line.trimEnd().endsWith('...')).to.equal(true);
  });

  it('honours OCF_EXIT_REASON_PREFIX', () => {
    expect(exitReasonPrefix({ OCF_EXIT_REASON_PREFIX: 'why:' })).to.equal('why:');
    expect(exitReasonPrefix({})).to.equal('ocf-exit-reason:');
    expect(formatExitReason('r', 'why:')).to.equal('why:r\n');
  });

  it('reads back the last exit reason of a stderr, as Pacemaker keeps it, and counts the lines', () => {
    const stderr = `IPaddr2(vip)[12]: WARNING: x\n${formatExitReason('first')}noise\n${formatExitReason('second, kept')}`;
    expect(parseExitReasons(stderr)).to.deep.equal({ reason: 'second, kept', lines: 2 });
    expect(parseExitReasons('no reason here\n')).to.deep.equal({ reason: undefined, lines: 0 });
    expect(parseExitReasons('R:custom\n', 'R:')).to.deep.equal({ reason: 'custom', lines: 1 });
  });
});
