// SPDX-License-Identifier: GPL-2.0-or-later
import { expect } from 'chai';
import { drbdParams } from '../../../agents/drbd/params.js';
import { parseParams } from '../../../lib/ocf/params.js';

const parse = (extra: Record<string, string>) => parseParams(drbdParams, { OCF_RESKEY_drbd_resource: 'r0', ...extra });

describe('drbd parameters', () => {
  it('reads the module version bounds as versions, a release suffix allowed', () => {
    const parsed = parse({ OCF_RESKEY_require_drbd_module_version_ge: '9.2.6-1', OCF_RESKEY_require_drbd_module_version_lt: '10.0' });
    expect(parsed.ok && [parsed.value.require_drbd_module_version_ge, parsed.value.require_drbd_module_version_lt]).to.deep.equal([
      [9, 2, 6],
      [10, 0, 0],
    ]);
  });

  for (const junk of ['8.4.0x', '8.4.0\nx', '9', '9.2.6 and more', `9.2.6-${'x'.repeat(20)} y`]) {
    it(`refuses a version bound followed by anything else: ${JSON.stringify(junk.slice(0, 20))}`, () => {
      const parsed = parse({ OCF_RESKEY_require_drbd_module_version_ge: junk });
      expect(parsed.ok).to.equal(false);
      if (!parsed.ok) expect(parsed.issues.map((i) => i.param)).to.deep.equal(['require_drbd_module_version_ge']);
    });
  }
});
