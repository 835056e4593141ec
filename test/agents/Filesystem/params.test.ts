// SPDX-License-Identifier: GPL-2.0-or-later
import { expect } from 'chai';
import { configure, filesystemParams } from '../../../agents/Filesystem/params.js';
import { parseSignals } from '../../../agents/Filesystem/signals.js';
import { OcfError } from '../../../lib/ocf/errors.js';
import { parseParams } from '../../../lib/ocf/params.js';

/** The typed parameters and what configure() derives from them together. */
function settingsFor(params: Record<string, string>) {
  const env = Object.fromEntries(Object.entries(params).map(([k, v]) => [`OCF_RESKEY_${k}`, v]));
  const parsed = parseParams(filesystemParams, env);
  if (!parsed.ok) throw OcfError.configured(parsed.issues.map((i) => i.message).join('; '));
  return { ...parsed.value, ...configure(parsed.value) };
}

function issuesFor(params: Record<string, string>): string[] {
  const env = Object.fromEntries(Object.entries(params).map(([k, v]) => [`OCF_RESKEY_${k}`, v]));
  const parsed = parseParams(filesystemParams, env);
  return parsed.ok ? [] : parsed.issues.map((i) => i.param);
}

describe('Filesystem parameters', () => {
  it('reads the seed configuration with the heartbeat defaults', () => {
    const s = settingsFor({ device: '/dev/drbd1', directory: '/data/', fstype: 'xfs' });
    expect(s).to.deep.include({ cls: 'block', fstype: 'xfs', directory: '/data', force_unmount: true, signal_delay: 1 });
    expect(s.term_signals).to.deep.equal(['SIGTERM']);
    expect(s.kill_signals).to.deep.equal(['SIGKILL']);
  });

  it('refuses a relative directory, `/`, an unknown run_fsck and a bad force_unmount at parse time', () => {
    expect(issuesFor({ device: '/dev/sdb', directory: 'data', fstype: 'xfs' })).to.deep.equal(['directory']);
    expect(issuesFor({ device: '/dev/sdb', directory: '//', fstype: 'xfs' })).to.deep.equal(['directory']);
    expect(issuesFor({ device: '/dev/sdb', directory: '/d', fstype: 'xfs', run_fsck: 'maybe' })).to.deep.equal(['run_fsck']);
    expect(issuesFor({ device: '/dev/sdb', directory: '/d', fstype: 'xfs', force_unmount: 'perhaps' })).to.deep.equal(['force_unmount']);
    expect(issuesFor({ device: '/dev/sdb', directory: '/d', fstype: 'x fs' })).to.deep.equal(['fstype']);
    expect(issuesFor({ directory: '/d', fstype: 'xfs' })).to.deep.equal(['device']);
  });

  it('treats safe as true and reads signal lists', () => {
    const s = settingsFor({ device: '/dev/sdb', directory: '/d', fstype: 'ext4', force_unmount: 'safe', term_signals: 'HUP,15', kill_signals: 'SIGKILL' });
    expect(s.force_unmount).to.equal(true);
    expect(s.term_signals).to.deep.equal(['SIGHUP', 'SIGTERM']);
    expect(settingsFor({ device: '/dev/sdb', directory: '/d', fstype: 'ext4', force_unmount: 'no' }).force_unmount).to.equal(false);
    expect(parseSignals('STOP').ok).to.equal(false);
    expect(parseSignals('BOGUS').ok).to.equal(false);
  });

  it('turns options=bind into a bind mount and checks the device form against the type', () => {
    const bind = settingsFor({ device: '/srv/a', directory: '/d', fstype: 'none', options: 'bind,ro' });
    expect(bind).to.deep.include({ cls: 'bind', fstype: 'bind' });
    expect(bind.options).to.deep.equal(['ro']);
    expect(() => settingsFor({ device: 'drbd1', directory: '/d', fstype: 'xfs' })).to.throw(OcfError).with.property('code', 6);
    expect(settingsFor({ device: 'tmpfs', directory: '/d', fstype: 'tmpfs' }).cls).to.equal('virtual');
    expect(settingsFor({ device: 'LABEL=data', directory: '/d', fstype: 'ext4' }).spec).to.deep.equal({ kind: 'label', value: 'data' });
  });
});
