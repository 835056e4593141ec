// SPDX-License-Identifier: GPL-2.0-or-later
import { expect } from 'chai';
import { fsClass, isLocalOnly, kernelName, parseProcFilesystems, sameType, wantsFsck } from '../../../agents/Filesystem/fstypes.js';
import { fixture } from './fixtures.js';

describe('Filesystem types', () => {
  it('classifies the types the agent must handle', () => {
    const classes = Object.fromEntries(['xfs', 'ext4', 'ext3', 'ext2', 'btrfs', 'tmpfs', 'nfs', 'nfs4', 'cifs', 'bind', 'none', 'fuse.sshfs'].map((t) => [t, fsClass(t)]));
    expect(classes).to.deep.equal({
      xfs: 'block',
      ext4: 'block',
      ext3: 'block',
      ext2: 'block',
      btrfs: 'block',
      tmpfs: 'virtual',
      nfs: 'network',
      nfs4: 'network',
      cifs: 'network',
      bind: 'bind',
      none: 'bind',
      'fuse.sshfs': 'network',
    });
  });

  it('runs fsck in auto mode only for types without a journal, never for xfs', () => {
    expect(wantsFsck('ext2', 'auto')).to.equal(true);
    expect(wantsFsck('ext4', 'auto')).to.equal(false);
    expect(wantsFsck('xfs', 'auto')).to.equal(false);
    expect(wantsFsck('xfs', 'force')).to.equal(false);
    expect(wantsFsck('ext4', 'force')).to.equal(true);
    expect(wantsFsck('ext2', 'no')).to.equal(false);
    expect(wantsFsck('nfs', 'force')).to.equal(false);
  });

  it('knows which types are single-node', () => {
    expect(['xfs', 'ext4', 'ext3', 'ext2', 'btrfs'].every(isLocalOnly)).to.equal(true);
    expect(['nfs', 'gfs2', 'ocfs2', 'tmpfs', 'cifs'].some(isLocalOnly)).to.equal(false);
  });

  it('reads /proc/filesystems and maps types to kernel names', () => {
    const names = parseProcFilesystems(fixture('proc-filesystems.txt'));
    expect(names.has('xfs')).to.equal(true);
    expect(names.has('tmpfs')).to.equal(true);
    expect(names.has('nodev')).to.equal(false);
    expect(kernelName('fuse.sshfs')).to.equal('fuse');
    expect(kernelName('bind')).to.equal(undefined);
    expect(kernelName('XFS')).to.equal('xfs');
  });

  it('accepts the names mount reports for a configured type', () => {
    expect(sameType('nfs', 'nfs4')).to.equal(true);
    expect(sameType('xfs', 'xfs')).to.equal(true);
    expect(sameType('xfs', 'ext4')).to.equal(false);
  });
});
