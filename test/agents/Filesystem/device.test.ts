// SPDX-License-Identifier: GPL-2.0-or-later
import { expect } from 'chai';
import { byTagPath, describeSpec, parseDeviceSpec } from '../../../agents/Filesystem/device.js';

describe('Filesystem device specification', () => {
  it('reads block device paths', () => {
    expect(parseDeviceSpec('/dev/drbd1', 'block')).to.deep.equal({ ok: true, spec: { kind: 'path', path: '/dev/drbd1' } });
  });

  for (const [text, kind, value] of [
    ['-U 2f1c6a0e-1111-4e2a-9c1d-0123456789ab', 'uuid', '2f1c6a0e-1111-4e2a-9c1d-0123456789ab'],
    ['-Uabcd', 'uuid', 'abcd'],
    ['--uuid=abcd', 'uuid', 'abcd'],
    ['UUID=abcd', 'uuid', 'abcd'],
    ['UUID="abcd"', 'uuid', 'abcd'],
    ['-L data', 'label', 'data'],
    ['--label=data', 'label', 'data'],
    ['LABEL=data', 'label', 'data'],
  ] as const) {
    it(`reads \`${text}\` as a ${kind}`, () => {
      expect(parseDeviceSpec(text, 'block')).to.deep.equal({ ok: true, spec: { kind, value } });
    });
  }

  it('refuses a relative block device, an empty tag and surrounding whitespace', () => {
    expect(parseDeviceSpec('drbd1', 'block').ok).to.equal(false);
    expect(parseDeviceSpec('UUID=', 'block').ok).to.equal(false);
    expect(parseDeviceSpec(' /dev/sdb1', 'block').ok).to.equal(false);
    expect(parseDeviceSpec('', 'block').ok).to.equal(false);
  });

  it('takes network sources and virtual names as they are', () => {
    expect(parseDeviceSpec('srv:/export', 'network')).to.deep.equal({ ok: true, spec: { kind: 'source', source: 'srv:/export' } });
    expect(parseDeviceSpec('//srv/share', 'network')).to.deep.equal({ ok: true, spec: { kind: 'source', source: '//srv/share' } });
    expect(parseDeviceSpec('tmpfs', 'virtual')).to.deep.equal({ ok: true, spec: { kind: 'source', source: 'tmpfs' } });
    expect(parseDeviceSpec('export', 'network').ok).to.equal(false);
  });

  it('wants an absolute bind source', () => {
    expect(parseDeviceSpec('/srv/a', 'bind')).to.deep.equal({ ok: true, spec: { kind: 'path', path: '/srv/a' } });
    expect(parseDeviceSpec('srv/a', 'bind').ok).to.equal(false);
  });

  it('names the udev link of a tag and describes specs in fstab syntax', () => {
    expect(byTagPath({ kind: 'uuid', value: 'ab-cd' })).to.equal('/dev/disk/by-uuid/ab-cd');
    expect(byTagPath({ kind: 'label', value: 'my data' })).to.equal('/dev/disk/by-label/my\\x20data');
    expect(byTagPath({ kind: 'path', path: '/dev/sda' })).to.equal(undefined);
    expect(describeSpec({ kind: 'label', value: 'x' })).to.equal('LABEL=x');
  });
});
