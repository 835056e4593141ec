// SPDX-License-Identifier: GPL-2.0-or-later
// The pure parts of the benchmarks' measure.ts: medians, ratios, the per-hour cost and the table layout.
import { expect } from 'chai';
import { cpuSecondsPerHour, fmtRatio, formatTable, median, ratio, summarize } from '../../../scripts/bench/measure.js';

describe('bench measure (pure)', () => {
  it('median of odd and even counts, unsorted input left as it was; NaN for none', () => {
    const values = [5, 1, 3];
    expect(median(values)).to.equal(3);
    expect(values).to.deep.equal([5, 1, 3]);
    expect(median([4, 1, 3, 2])).to.equal(2.5);
    expect(median([])).to.be.NaN;
  });

  it('summarize takes the median of each measure on its own', () => {
    const s = (wallMs: number, cpuMs: number, rssKiB: number) => ({ rc: 0, wallMs, cpuMs, rssKiB, stderr: '' });
    expect(summarize([s(10, 3, 100), s(30, 1, 300), s(20, 2, 200)])).to.deep.equal({ n: 3, wallMs: 20, cpuMs: 2, rssKiB: 200 });
  });

  it('ratio is undefined without both values or with a zero denominator; printed with two decimals', () => {
    expect(ratio(3, 2)).to.equal(1.5);
    expect(ratio(3, undefined)).to.equal(undefined);
    expect(ratio(undefined, 2)).to.equal(undefined);
    expect(ratio(3, 0)).to.equal(undefined);
    expect(ratio(NaN, 2)).to.equal(undefined);
    expect(fmtRatio(1.5)).to.equal('1.50x');
    expect(fmtRatio(undefined)).to.equal('-');
  });

  it('CPU seconds per hour: one monitor of 100 ms every 30 s for 10 resources is 120 s', () => {
    expect(cpuSecondsPerHour(100, 30, 10)).to.be.closeTo(120, 1e-9);
    expect(cpuSecondsPerHour(50, 20, 1)).to.be.closeTo(9, 1e-9);
  });

  it('formats a table: first two columns left, numbers right, one-cell rows as notes under their row', () => {
    const table = formatTable(['agent', 'action', 'ms', 'ratio'], [
      ['MailTo', 'monitor', '80.5', '4.00x'],
      ['drbd', 'meta-data', '7.0', '-'],
      ['a note'],
    ]);
    expect(table.split('\n')).to.deep.equal([
      'agent   action     ms    ratio',
      '------  ---------  ----  -----',
      'MailTo  monitor    80.5  4.00x',
      'drbd    meta-data   7.0      -',
      '  a note',
    ]);
  });
});
