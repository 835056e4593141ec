// SPDX-License-Identifier: GPL-2.0-or-later
import { expect } from 'chai';
import { invalid, param, parseBoolean, parseInteger, parseParams } from '../../../lib/ocf/params.js';

describe('lib/ocf/params', () => {
  describe('parseBoolean', () => {
    for (const word of ['true', 'yes', 'on', '1', 'YES', 'True', 'ON', 'ja', 'y']) {
      it(`reads ${word} as true`, () => expect(parseBoolean(word)).to.equal(true));
    }
    for (const word of ['false', 'no', 'off', '0', 'NO', 'False', 'n']) {
      it(`reads ${word} as false`, () => expect(parseBoolean(word)).to.equal(false));
    }
    it('rejects anything else', () => expect(parseBoolean('maybe')).to.equal(undefined));
  });

  it('parses integers strictly', () => {
    expect(parseInteger(' 42 ')).to.equal(42);
    expect(parseInteger('-7')).to.equal(-7);
    expect(parseInteger('4.2')).to.equal(undefined);
    expect(parseInteger('12abc')).to.equal(undefined);
    expect(parseInteger('99999999999999999999')).to.equal(undefined);
  });

  const specs = {
    name: param.string({ shortdesc: 's', longdesc: 'l', required: true }),
    count: param.integer({ shortdesc: 's', longdesc: 'l', default: 5, min: 1, max: 10 }),
    flag: param.boolean({ shortdesc: 's', longdesc: 'l', default: false }),
    mode: param.select({ shortdesc: 's', longdesc: 'l', options: ['auto', 'force', 'no'], default: 'auto' }),
    label: param.string({ shortdesc: 's', longdesc: 'l', parse: (v) => (v.length > 3 ? invalid('too long') : v) }),
  } as const;

  it('applies defaults and types the values', () => {
    const result = parseParams(specs, { OCF_RESKEY_name: 'x', OCF_RESKEY_flag: 'yes' });
    expect(result).to.deep.equal({ ok: true, value: { name: 'x', count: 5, flag: true, mode: 'auto' } });
    if (result.ok) {
      // compile-time: required and defaulted parameters are never undefined
      const n: string = result.value.name;
      const c: number = result.value.count;
      const m: 'auto' | 'force' | 'no' = result.value.mode;
      const l: string | undefined = result.value.label;
      expect([n, c, m, l]).to.deep.equal(['x', 5, 'auto', undefined]);
    }
  });

  it('treats an empty value as unset', () => {
    const result = parseParams(specs, { OCF_RESKEY_name: 'x', OCF_RESKEY_count: '' });
    expect(result.ok && result.value.count).to.equal(5);
  });

  it('reports every problem, each naming its parameter', () => {
    const result = parseParams(specs, {
      OCF_RESKEY_count: '11',
      OCF_RESKEY_flag: 'perhaps',
      OCF_RESKEY_mode: 'sometimes',
      OCF_RESKEY_label: 'toolong',
    });
    expect(result.ok).to.equal(false);
    if (!result.ok) {
      expect(result.issues.map((i) => i.param)).to.deep.equal(['name', 'count', 'flag', 'mode', 'label']);
      expect(result.issues[0]!.message).to.equal('required parameter `name` is not set');
      expect(result.issues[1]!.message).to.equal('expected parameter `count` to be in 1..10, got `11`');
      expect(result.issues[2]!.message).to.match(/`flag` to be a boolean/);
      expect(result.issues[3]!.message).to.equal('expected parameter `mode` to be one of auto, force, no, got `sometimes`');
      expect(result.issues[4]!.message).to.equal('too long');
    }
  });
});
