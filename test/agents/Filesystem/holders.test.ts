// SPDX-License-Identifier: GPL-2.0-or-later
import { expect } from 'chai';
import { findHolders, isZombieStat, parseFdinfoMountId, parseMaps, parentPid, stripDeleted } from '../../../agents/Filesystem/holders.js';
import { parseMountinfo } from '../../../agents/Filesystem/mountinfo.js';
import { fakeProc, fixture } from './fixtures.js';

describe('Filesystem holder detection', () => {
  const mounts = parseMountinfo(fixture('mountinfo-busy.txt'));
  const mount = (id: number) => {
    const entry = mounts.find((e) => e.id === id);
    if (!entry) throw new Error(`no mount ${id} in the fixture`);
    return entry;
  };
  const view = fakeProc('proc-busy.json');

  it('finds cwd, open files, maps, deleted cwd, executables and other namespaces on /mnt/data, nothing else', async () => {
    const holders = await findHolders(view, { mounts, targets: [mount(42)], exclude: new Set([200]), matchByDevice: true });
    const byPid = Object.fromEntries(holders.map((h) => [h.pid, [...h.reasons].sort()]));
    expect(byPid).to.deep.equal({
      100: ['cwd'],
      102: ['file'],
      103: ['mmap'],
      105: ['cwd'],
      107: ['cwd'],
      109: ['exe'],
    });
  });

  it('leaves pid 1, the excluded pids, the sibling /mnt/data2, the submount and the bind mount elsewhere alone', async () => {
    const holders = await findHolders(view, { mounts, targets: [mount(42)], exclude: new Set([200]), matchByDevice: true });
    const pids = holders.map((h) => h.pid);
    for (const pid of [1, 200, 101, 104, 108, 106, 110, 111]) expect(pids).not.to.include(pid);
  });

  it('reports the command line of a holder', async () => {
    const holders = await findHolders(view, { mounts, targets: [mount(42)], exclude: new Set(), matchByDevice: true });
    expect(holders.find((h) => h.pid === 102)?.command).to.equal('tail -f /mnt/data/log.txt');
  });

  it('attributes a submount to itself', async () => {
    const holders = await findHolders(view, { mounts, targets: [mount(44)], exclude: new Set(), matchByDevice: true });
    expect(holders.map((h) => h.pid)).to.deep.equal([108]);
  });

  it('for a bind mount of /, takes only the users of that mount, not every process on the root filesystem', async () => {
    const holders = await findHolders(view, { mounts, targets: [mount(50)], exclude: new Set(), matchByDevice: false });
    expect(holders.map((h) => h.pid)).to.deep.equal([110]);
  });

  it('parses maps, fdinfo and stat lines', () => {
    expect(parseMaps('7f00-7f01 r--s 00000000 fd:02 99 /a b (deleted)\n7f-80 rw-p 00000000 00:00 0 \n')).to.deep.equal([{ dev: '253:2', path: '/a b' }]);
    expect(parseFdinfoMountId('pos:\t0\nflags:\t0100002\nmnt_id:\t42\nino:\t7\n')).to.equal(42);
    expect(parseFdinfoMountId('pos:\t0\n')).to.equal(undefined);
    expect(stripDeleted('/x (deleted)')).to.equal('/x');
    expect(isZombieStat('123 (a) b) Z 1 123')).to.equal(true);
    expect(isZombieStat('123 (sleep) S 1 123')).to.equal(false);
    expect(parentPid('123 (my prog) S 77 123 123')).to.equal(77);
  });
});
