// SPDX-License-Identifier: GPL-2.0-or-later
// Property tests of the mountinfo parser: its callers catch nothing, so any text must parse (malformed lines are
// skipped); and the lines the kernel prints for a mount table (proc(5), octal escapes of space, tab, newline
// and backslash) read back as that table.
import { expect } from 'chai';
import fc from 'fast-check';
import { parseMountinfo, type MountEntry } from '../../../agents/Filesystem/mountinfo.js';
import { RUNS, anyText, linesOf } from '../../helpers/hostile-text.js';

/** The kernel's mangle(): these four characters as three-digit octal. */
const mangle = (text: string): string => text.replace(/[ \t\n\\]/g, (c) => `\\${c.charCodeAt(0).toString(8).padStart(3, '0')}`);

const pathText = fc.array(fc.oneof(fc.string({ minLength: 1, maxLength: 8 }), fc.constantFrom(' ', '\t', '\n', '\\', '\\040', ' - ', '-')), { minLength: 1, maxLength: 4 }).map((parts) => `/${parts.join('/')}`);
const entry: fc.Arbitrary<MountEntry> = fc.record({
  id: fc.nat(1e6),
  parentId: fc.nat(1e6),
  major: fc.nat(4095),
  minor: fc.nat(1e6),
  root: fc.oneof(fc.constant('/'), pathText),
  mountPoint: pathText,
  mountOptions: fc.constantFrom('rw,relatime', 'ro', 'rw,nosuid,nodev'),
  fstype: fc.oneof(fc.constantFrom('xfs', 'ext4', 'fuse.sshfs', 'tmpfs'), fc.string({ minLength: 1, maxLength: 6 })),
  source: fc.oneof(fc.constantFrom('/dev/drbd1', 'none', 'srv:/export', ''), fc.string({ maxLength: 12 })),
  superOptions: fc.constantFrom('rw', 'rw,attr2,inode64', 'ro,seclabel'),
});
const optionalFields = fc.array(fc.constantFrom('shared:1', 'master:2', 'propagate_from:3', 'unbindable'), { maxLength: 3 });

function mountinfoLine(e: MountEntry, optional: readonly string[]): string {
  return [e.id, e.parentId, `${e.major}:${e.minor}`, mangle(e.root), mangle(e.mountPoint), e.mountOptions, ...optional, '-', mangle(e.fstype), mangle(e.source), e.superOptions].join(' ');
}

describe('Filesystem mountinfo parser: property tests', () => {
  it('answers any text with well-formed entries, never a throw', () => {
    const text = fc.oneof(anyText, linesOf(['36', '35', '98:0', '/', '/mnt', 'rw', 'shared:1', '-', 'ext3', '/dev/root', 'rw,errors=continue', '\\040'], ' '));
    fc.assert(
      fc.property(text, (t) => {
        for (const e of parseMountinfo(t)) {
          for (const n of [e.id, e.parentId, e.major, e.minor]) expect(Number.isInteger(n) && n >= 0, String(n)).to.equal(true);
        }
      }),
      RUNS,
    );
  });

  it('reads back the table the kernel prints, whatever the paths hold', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(entry, optionalFields), { maxLength: 6 }), (rows) => {
        const text = `${rows.map(([e, optional]) => mountinfoLine(e, optional)).join('\n')}\n`;
        expect(parseMountinfo(text)).to.deep.equal(rows.map(([e]) => e));
      }),
      RUNS,
    );
  });
});
