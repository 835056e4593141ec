// SPDX-License-Identifier: GPL-2.0-or-later
// Differential test against the anchor: ocf:heartbeat:IPaddr2 (resource-agents 4.12) and ocf:tsha:IPaddr2 run
// with the same parameters in twin namespaces (same interfaces, same addresses); `ip -j addr` must show the same
// address, prefix, broadcast and label. Where tsha differs on purpose, the case says why.
import { expect } from 'chai';
import { OcfExit } from '../../../lib/ocf/exit-codes.js';
import { createLan, HEARTBEAT, SEED, type Lan } from './lan.js';

type Shown = { local: unknown; prefixlen: unknown; broadcast: unknown; label: unknown };

const shown = (entries: Record<string, unknown>[]): Shown[] =>
  entries.map((a) => ({ local: a.local, prefixlen: a.prefixlen, broadcast: a.broadcast, label: a.label }));

type Case = { name: string; params: Record<string, string>; ip: string; onPurpose?: { tsha: Partial<Shown>; why: string } };

const CASES: Case[] = [
  { name: "seed's line", params: SEED, ip: SEED.ip },
  { name: 'nic and prefix found by findif', params: { ip: '192.168.1.74' }, ip: '192.168.1.74' },
  { name: 'dotted-quad netmask', params: { ip: '192.168.1.75', nic: 'eth1', cidr_netmask: '255.255.255.0' }, ip: '192.168.1.75' },
  { name: 'explicit broadcast', params: { ip: '192.168.1.77', nic: 'eth1', cidr_netmask: '25', broadcast: '192.168.1.127' }, ip: '192.168.1.77' },
  { name: 'IPv6 with DAD', params: { ip: '2001:db8:1::73', nic: 'eth1', cidr_netmask: '64' }, ip: '2001:db8:1::73' },
  {
    name: '/32 inside a /24',
    params: { ip: '192.168.1.76', nic: 'eth1', cidr_netmask: '32' },
    ip: '192.168.1.76',
    onPurpose: { tsha: { broadcast: undefined }, why: 'heartbeat copies the /24 broadcast onto a /32, which has none (RFC 3021)' },
  },
];

// validate-all exit codes, compared one by one.
const VALIDATE: { name: string; params: Record<string, string>; onPurpose?: string }[] = [
  { name: 'valid seed line', params: SEED },
  { name: 'iflabel too long', params: { ...SEED, iflabel: 'averylonglabel' } },
  { name: 'ip not an address', params: { ...SEED, ip: 'vip.example.org' } },
  { name: 'cidr_netmask 33', params: { ...SEED, cidr_netmask: '33' } },
  { name: 'nic that does not exist', params: { ...SEED, nic: 'eth9' } },
  { name: 'broadcast not an address', params: { ...SEED, broadcast: '192.168.1' } },
  { name: 'no subnet holds ip', params: { ip: '192.168.7.7' }, onPurpose: 'heartbeat answers 1 (findif failed); a configuration error is 6' },
];

describe('ocf:tsha:IPaddr2 against ocf:heartbeat:IPaddr2 in twin namespaces', function () {
  this.timeout(120_000);
  let hb: Lan;
  let ts: Lan;
  const heartbeat = (action: string, params: Record<string, string>, meta: Record<string, string> = {}) =>
    hb.agent('n', action, params, { path: HEARTBEAT, meta });
  const tsha = (action: string, params: Record<string, string>, meta: Record<string, string> = {}) => ts.agent('n', action, params, { meta });

  before(async function () {
    // network namespaces need root: not being root is a failure, never a quiet skip
    if (process.getuid?.() !== 0) throw new Error('this suite needs root (network namespaces)');
    hb = await createLan('hb', ['n']);
    ts = await createLan('ts', ['n']);
  });
  after(async () => {
    await hb?.destroy();
    await ts?.destroy();
  });

  for (const c of CASES) {
    it(`shows the same address after start: ${c.name}`, async () => {
      const [h, t] = await Promise.all([heartbeat('start', c.params), tsha('start', c.params)]);
      expect(h.rc, `heartbeat: ${h.stderr}`).to.equal(OcfExit.SUCCESS);
      expect(t.rc, `tsha: ${t.stderr}`).to.equal(OcfExit.SUCCESS);
      let stops: [Awaited<ReturnType<typeof heartbeat>>, Awaited<ReturnType<typeof tsha>>];
      try {
        const fromHeartbeat = shown(await hb.vip('n', c.ip));
        const fromTsha = shown(await ts.vip('n', c.ip));
        console.log(`      heartbeat ${JSON.stringify(fromHeartbeat)}\n      tsha      ${JSON.stringify(fromTsha)}`);
        expect(fromHeartbeat).to.have.length(1);
        if (c.onPurpose) {
          console.log(`      differs on purpose: ${c.onPurpose.why}`);
          expect(fromTsha).to.deep.equal(fromHeartbeat.map((a) => ({ ...a, ...c.onPurpose?.tsha })));
          expect(fromTsha).to.not.deep.equal(fromHeartbeat);
        } else {
          expect(fromTsha).to.deep.equal(fromHeartbeat);
        }
      } finally {
        // no assertion here: a failing one would hide the first failure
        stops = await Promise.all([heartbeat('stop', c.params), tsha('stop', c.params)]);
      }
      const [hs, tstop] = stops;
      expect([hs.rc, tstop.rc], `${hs.stderr}\n${tstop.stderr}`).to.deep.equal([0, 0]);
      expect(await hb.vip('n', c.ip)).to.deep.equal([]);
      expect(await ts.vip('n', c.ip)).to.deep.equal([]);
    });
  }

  it('gives the same validate-all exit codes, but for documented differences', async () => {
    for (const v of VALIDATE) {
      const [h, t] = await Promise.all([heartbeat('validate-all', v.params), tsha('validate-all', v.params)]);
      console.log(`      ${v.name}: heartbeat ${h.rc}, tsha ${t.rc}${v.onPurpose ? ` (on purpose: ${v.onPurpose})` : ''}`);
      if (v.onPurpose) expect(t.rc, `${v.name}: ${t.stderr}`).to.not.equal(h.rc);
      else expect(t.rc, `${v.name}: ${t.stderr}`).to.equal(h.rc);
    }
  });

  it('differs on purpose when the link is down: heartbeat 4.12 reports running (issue #2047), tsha a failure', async () => {
    expect((await heartbeat('start', SEED)).rc).to.equal(OcfExit.SUCCESS);
    expect((await tsha('start', SEED)).rc).to.equal(OcfExit.SUCCESS);
    let stops: Awaited<ReturnType<typeof heartbeat>>[];
    try {
      await hb.lab.ip('n', 'link', 'set', 'eth1', 'down');
      await ts.lab.ip('n', 'link', 'set', 'eth1', 'down');
      const meta = { interval: '10000' };
      const [h, t] = await Promise.all([heartbeat('monitor', SEED, meta), tsha('monitor', SEED, meta)]);
      console.log(`      link down: heartbeat monitor ${h.rc}, tsha monitor ${t.rc} (${t.reason})`);
      expect(h.rc).to.equal(OcfExit.SUCCESS);
      expect(t.rc).to.equal(OcfExit.ERR_GENERIC);
    } finally {
      await hb.lab.ip('n', 'link', 'set', 'eth1', 'up');
      await ts.lab.ip('n', 'link', 'set', 'eth1', 'up');
      stops = [await heartbeat('stop', SEED), await tsha('stop', SEED)];
    }
    expect(stops.map((r) => r.rc)).to.deep.equal([OcfExit.SUCCESS, OcfExit.SUCCESS]);
  });
});
