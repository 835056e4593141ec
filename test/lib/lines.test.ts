// SPDX-License-Identifier: GPL-2.0-or-later
import { expect } from 'chai';
import { LineSplitter } from '../../lib/lines.js';

/** Every line a splitter gives for `chunks`, then what end() gives. */
function split(chunks: string[]): { lines: string[]; last: string | undefined } {
  const splitter = new LineSplitter();
  const lines = chunks.flatMap((c) => splitter.push(c));
  return { lines, last: splitter.end() };
}

describe('lib/lines (incremental line splitter)', () => {
  it('gives the lines a chunk completes and keeps the unterminated rest', () => {
    const splitter = new LineSplitter();
    expect(splitter.push('one\ntwo\nthr')).to.deep.equal(['one', 'two']);
    expect(splitter.push('ee')).to.deep.equal([]);
    expect(splitter.push('\n')).to.deep.equal(['three']);
    expect(splitter.end()).to.equal(undefined);
  });

  it('gives the same lines wherever the chunks are cut', () => {
    const text = 'exists resource name:r0 role:Secondary\n\nchange device minor:1 disk:UpToDate\nlast';
    const whole = split([text]);
    expect(whole).to.deep.equal({ lines: ['exists resource name:r0 role:Secondary', '', 'change device minor:1 disk:UpToDate'], last: 'last' });
    for (let cut = 0; cut <= text.length; cut++) expect(split([text.slice(0, cut), text.slice(cut)])).to.deep.equal(whole);
    expect(split([...text])).to.deep.equal(whole);
  });

  it('keeps empty lines and splits only on \\n (a \\r stays in its line, as before)', () => {
    expect(split(['\n\na\r\n', '\r\n'])).to.deep.equal({ lines: ['', '', 'a\r', '\r'], last: undefined });
  });

  it('gives a last line without newline at the end, once', () => {
    const splitter = new LineSplitter();
    expect(splitter.push('a\nb')).to.deep.equal(['a']);
    expect(splitter.end()).to.equal('b');
    expect(splitter.end()).to.equal(undefined);
    expect(split([]).last).to.equal(undefined);
    expect(split(['', '']).lines).to.deep.equal([]);
  });

  it('keeps multi-byte characters whole (chunks are text: the stream decodes them)', () => {
    expect(split(['Nom du serveur: é', 'tape\n€']).lines).to.deep.equal(['Nom du serveur: étape']);
  });
});
