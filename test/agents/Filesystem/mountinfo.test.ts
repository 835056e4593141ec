// SPDX-License-Identifier: GPL-2.0-or-later
import { expect } from 'chai';
import {
  isWithin,
  mountsAt,
  mountsBelow,
  normaliseDirectory,
  owningMount,
  parseMountinfo,
  sameMount,
  topMountAt,
  unescapeField,
  unmountOrder,
} from '../../../agents/Filesystem/mountinfo.js';
import { fixture } from './fixtures.js';

describe('Filesystem mountinfo', () => {
  const table = parseMountinfo(fixture('mountinfo-busy.txt'));

  it('parses every well-formed line and skips the malformed ones', () => {
    expect(table.map((e) => e.id)).to.deep.equal([22, 23, 24, 27, 42, 43, 44, 45, 46, 47, 48, 50]);
    const data = table.find((e) => e.id === 42);
    expect(data).to.deep.include({
      parentId: 27,
      major: 7,
      minor: 0,
      root: '/',
      mountPoint: '/mnt/data',
      mountOptions: 'rw,relatime',
      fstype: 'xfs',
      source: '/dev/loop0',
      superOptions: 'rw,inode64,logbufs=8,logbsize=32k,noquota',
    });
  });

  it('tells a mount from a later one that took its freed id', () => {
    // ours unmounted, then another slot's filesystem mounted and given the same id by the kernel
    const [ours] = parseMountinfo('42 27 7:0 / /tmp/slot3/mnt rw,relatime - ext4 /dev/loop3 rw\n');
    const [later] = parseMountinfo('42 27 7:1 / /tmp/slot1/mnt rw,relatime - ext4 /dev/loop1 rw\n');
    const [again] = parseMountinfo('42 27 7:0 / /tmp/slot3/mnt rw,relatime - ext4 /dev/loop3 rw\n');
    expect(sameMount(ours!, later!)).to.equal(false);
    expect(sameMount(ours!, again!)).to.equal(true);
  });

  it('reads optional fields (shared:1) without shifting the others', () => {
    expect(table.find((e) => e.id === 42)?.fstype).to.equal('xfs');
  });

  it('unescapes octal sequences in mount points', () => {
    expect(unescapeField('/mnt/my\\040disk\\011x\\134y')).to.equal('/mnt/my disk\tx\\y');
    expect(table.find((e) => e.id === 46)?.mountPoint).to.equal('/mnt/my disk');
  });

  it('compares paths component-wise, not by string prefix', () => {
    expect(isWithin('/mnt/data', '/mnt/data')).to.equal(true);
    expect(isWithin('/mnt/data/x', '/mnt/data')).to.equal(true);
    expect(isWithin('/mnt/data2', '/mnt/data')).to.equal(false);
    expect(isWithin('/mnt/data2/x', '/mnt/data')).to.equal(false);
    expect(isWithin('/anything', '/')).to.equal(true);
  });

  it('lists submounts deepest first and never a sibling with the same prefix', () => {
    expect(mountsBelow(table, '/mnt/data').map((e) => e.mountPoint)).to.deep.equal(['/mnt/data/sub/deeper', '/mnt/data/sub']);
  });

  it('orders mounts for unmounting: deepest first, the later of stacked mounts first', () => {
    const stacked = parseMountinfo(
      '27 1 254:0 / / rw - ext4 /dev/vda rw\n60 27 7:0 / /m rw - xfs /dev/loop0 rw\n61 60 7:1 / /m/a/b rw - ext4 /dev/loop1 rw\n62 27 7:2 / /m rw - ext4 /dev/loop2 rw\n63 62 7:3 / /m/c rw - ext4 /dev/loop3 rw\n',
    );
    expect(unmountOrder(stacked).map((e) => e.id)).to.deep.equal([61, 63, 62, 60, 27]);
  });

  it('finds the mount that owns a path', () => {
    expect(owningMount(table, '/mnt/data2/file')?.id).to.equal(43);
    expect(owningMount(table, '/mnt/data/projects/a')?.id).to.equal(42);
    expect(owningMount(table, '/mnt/data/sub/x')?.id).to.equal(44);
    expect(owningMount(table, '/etc/passwd')?.id).to.equal(27);
  });

  it('takes the topmost of stacked mounts', () => {
    const stacked = parseMountinfo('27 1 254:0 / / rw - ext4 /dev/vda rw\n60 27 7:0 / /m rw - xfs /dev/loop0 rw\n61 27 7:1 / /m rw - ext4 /dev/loop1 rw\n');
    expect(mountsAt(stacked, '/m').map((e) => e.id)).to.deep.equal([60, 61]);
    expect(topMountAt(stacked, '/m')?.id).to.equal(61);
    expect(owningMount(stacked, '/m/f')?.id).to.equal(61);
  });

  it('normalises directories as the mount table spells them', () => {
    expect(normaliseDirectory('/data/')).to.equal('/data');
    expect(normaliseDirectory('//data//x/./')).to.equal('/data/x');
    expect(normaliseDirectory('/data/x/../y')).to.equal('/data/y');
  });
});
