// SPDX-License-Identifier: GPL-2.0-or-later
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { parseMountinfo } from '../../../agents/Filesystem/mountinfo.js';
import { readMountTable } from '../../../agents/Filesystem/proc.js';

describe('Filesystem readMountTable', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'tsha-mountinfo-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('parses the file it is given', async () => {
    const text = '27 1 254:0 / / rw - ext4 /dev/vda rw\n60 27 7:0 / /mnt/my\\040disk rw shared:1 - xfs /dev/loop0 rw\n';
    const file = path.join(dir, 'mountinfo');
    await writeFile(file, text);
    const table = await readMountTable(file);
    expect(table).to.deep.equal(parseMountinfo(text));
    expect(table.map((e) => e.mountPoint)).to.deep.equal(['/', '/mnt/my disk']);
  });

  it("reads this process's mount table by default, and another process's by its /proc path", async () => {
    for (const table of [await readMountTable(), await readMountTable(`/proc/${process.pid}/mountinfo`)]) {
      expect(table.some((e) => e.mountPoint === '/')).to.equal(true);
      expect(new Set(table.map((e) => e.id)).size).to.equal(table.length);
    }
  });

  it('rejects when the table cannot be read (a process that has gone)', async () => {
    const error = await readMountTable(path.join(dir, 'absent')).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).to.be.instanceOf(Error).with.property('code', 'ENOENT');
  });
});
