// SPDX-License-Identifier: GPL-2.0-or-later
// The pure parts of ocf:tsha:IPaddr2, against iproute2 output captured in namespaces (test/fixtures/IPaddr2).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { canonicalIPv6, computedBroadcast, parseIp, parsePrefix, sameNetwork } from '../../../agents/IPaddr2/address.js';
import { arpingArgs, parseAnnouncerArgs, sendUaArgs } from '../../../agents/IPaddr2/announce.js';
import { arpMode } from '../../../agents/IPaddr2/arp.js';
import { configure, ipaddr2Params } from '../../../agents/IPaddr2/params.js';
import { defaultBroadcast, findInterface, holders, servedState } from '../../../agents/IPaddr2/findif.js';
import { IpJsonError, linkHealth, parseAddrShow, parseRouteList, type Link } from '../../../agents/IPaddr2/ip-json.js';
import { addArgs } from '../../../agents/IPaddr2/ip.js';
import { OcfError } from '../../../lib/ocf/errors.js';
import { OcfExit } from '../../../lib/ocf/exit-codes.js';
import { parseParams } from '../../../lib/ocf/params.js';

// Compiled tests run from dist/test/...; the fixtures stay in the source tree.
const fixtures = fileURLToPath(new URL('../../../../test/fixtures/IPaddr2/', import.meta.url));
const fixture = (name: string): string => readFileSync(`${fixtures}${name}`, 'utf8');
const links = (name: string): Link[] => parseAddrShow(fixture(name));

const base = { ip: '192.168.1.73' };

/** The typed parameters (refused as the pipeline refuses them) and what configure() derives from them together. */
function settingsFrom(params: Record<string, string>) {
  const env = Object.fromEntries(Object.entries(params).map(([k, v]) => [`OCF_RESKEY_${k}`, v]));
  const parsed = parseParams(ipaddr2Params, env);
  if (!parsed.ok) throw OcfError.configured(parsed.issues.map((i) => i.message).join('; '));
  return { params: parsed.value, config: configure(parsed.value) };
}

function configuredError(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).to.be.instanceOf(OcfError);
    expect((error as OcfError).code).to.equal(OcfExit.ERR_CONFIGURED);
    return (error as OcfError).reason;
  }
  throw new Error('expected OCF_ERR_CONFIGURED');
}

describe('IPaddr2 pure parts', () => {
  describe('addresses', () => {
    it('parses IPv4 and refuses what cannot be a service address', () => {
      expect(parseIp('192.168.1.73')).to.deep.equal({ family: 4, address: '192.168.1.73' });
      for (const bad of ['192.168.1', '192.168.1.256', '192.168.01.73', '0.1.2.3', '224.0.0.1', '255.255.255.255', 'eth1', '', '1.2.3.4/24']) {
        expect(parseIp(bad), bad).to.have.property('problem');
      }
    });
    it('parses IPv6 into its RFC 5952 form', () => {
      expect(parseIp('2001:DB8:0:0:0:0:0:73')).to.deep.equal({ family: 6, address: '2001:db8::73' });
      expect(canonicalIPv6('2001:db8:0:1:0:0:0:1')).to.equal('2001:db8:0:1::1');
      expect(canonicalIPv6('2001:0:0:1:0:0:0:1')).to.equal('2001:0:0:1::1');
      expect(canonicalIPv6('2001:db8:1:0:1:1:1:1')).to.equal('2001:db8:1:0:1:1:1:1');
      expect(canonicalIPv6('::ffff:192.168.1.5')).to.equal('::ffff:c0a8:105');
      expect(canonicalIPv6('fe80::0001')).to.equal('fe80::1');
      for (const bad of ['::', '::1', 'ff02::1', 'fe80::1%eth1', '2001:db8::g', '2001:db8:::1']) expect(parseIp(bad), bad).to.have.property('problem');
    });
    it('reads prefix lengths and dotted netmasks by family', () => {
      expect(parsePrefix('24', 4)).to.deep.equal({ prefix: 24, dotted: false });
      expect(parsePrefix('255.255.255.0', 4)).to.deep.equal({ prefix: 24, dotted: true });
      expect(parsePrefix('255.255.255.255', 4)).to.deep.equal({ prefix: 32, dotted: true });
      expect(parsePrefix('64', 6)).to.deep.equal({ prefix: 64, dotted: false });
      for (const [raw, family] of [['33', 4], ['0', 4], ['129', 6], ['255.0.255.0', 4], ['255.255.255.0', 6], ['abc', 4], ['-1', 4]] as const) {
        expect(parsePrefix(raw, family), raw).to.have.property('problem');
      }
    });
    it('computes broadcasts, none for /31 and /32', () => {
      expect(computedBroadcast('192.168.1.73', 24)).to.equal('192.168.1.255');
      expect(computedBroadcast('10.1.2.3', 8)).to.equal('10.255.255.255');
      expect(computedBroadcast('192.168.1.73', 30)).to.equal('192.168.1.75');
      expect(computedBroadcast('192.168.1.73', 31)).to.equal(undefined);
      expect(computedBroadcast('192.168.1.73', 32)).to.equal(undefined);
    });
    it('compares networks bit by bit', () => {
      expect(sameNetwork(4, '192.168.1.11', '192.168.1.73', 24)).to.equal(true);
      expect(sameNetwork(4, '192.168.1.11', '192.168.1.73', 26)).to.equal(false);
      expect(sameNetwork(6, '2001:db8:1::11', '2001:db8:1::73', 64)).to.equal(true);
      expect(sameNetwork(6, '2001:db8:1::11', '2001:db8:1:0:8000::1', 65)).to.equal(false);
    });
  });

  describe('ip -j parsers', () => {
    it('reads interfaces, flags, addresses, labels and DAD state', () => {
      const all = links('addr-show.json');
      expect(all.map((l) => l.name)).to.include.members(['lo', 'eth1', 'eth2']);
      const eth1 = all.find((l) => l.name === 'eth1');
      expect(eth1?.flags).to.include.members(['UP', 'LOWER_UP']);
      const vip = eth1?.addresses.find((a) => a.local === '192.168.1.73');
      expect(vip).to.deep.include({ family: 4, prefix: 24, broadcast: '192.168.1.255', label: 'eth1:ethcl1', tentative: false });
      expect(eth1?.addresses.find((a) => a.local === '2001:db8:1::73')).to.deep.include({ family: 6, prefix: 64, tentative: true });
      expect(links('addr-eth1-dad-done.json')[0]?.addresses.find((a) => a.local === '2001:db8:1::73')?.tentative).to.equal(false);
    });
    it('fails loudly on output it does not understand', () => {
      expect(() => parseAddrShow('Device "eth9" does not exist.')).to.throw(IpJsonError);
      expect(() => parseAddrShow('{"ifname":"eth1"}')).to.throw(IpJsonError);
      expect(() => parseAddrShow('[{"flags":[]}]')).to.throw(IpJsonError);
      expect(parseAddrShow('')).to.deep.equal([]);
      expect(() => parseRouteList('[{"dev":"eth1"}]')).to.throw(IpJsonError);
    });
    it('tells a healthy link from an administratively down one and one without carrier', () => {
      expect(linkHealth(links('addr-eth1-dad-done.json')[0] as Link)).to.deep.equal({ up: true });
      expect(linkHealth(links('addr-eth1-admin-down.json')[0] as Link)).to.deep.equal({ up: false, why: 'interface eth1 is administratively down' });
      expect(linkHealth(links('addr-eth1-no-carrier.json')[0] as Link)).to.deep.equal({ up: false, why: 'interface eth1 has no carrier' });
      expect(linkHealth(links('addr-show.json').find((l) => l.name === 'lo') as Link)).to.deep.equal({ up: true });
    });
  });

  describe('findif', () => {
    it('takes the longest prefix among connected routes, on nic when given', () => {
      const routes = parseRouteList(fixture('route-match-v4.json'));
      expect(findInterface(routes, 4)).to.deep.equal({ nic: 'eth1', prefix: 24 });
      expect(findInterface(routes, 4, 'eth2')).to.deep.equal({ nic: 'eth2', prefix: 16 });
      expect(findInterface(routes, 4, 'eth3')).to.equal(undefined);
      expect(findInterface(parseRouteList(fixture('route-match-v4-wide.json')), 4)).to.deep.equal({ nic: 'eth2', prefix: 16 });
      expect(findInterface(parseRouteList(fixture('route-match-none.json')), 4)).to.equal(undefined);
      expect(findInterface(parseRouteList(fixture('route-local-127.json')), 4)).to.deep.equal({ nic: 'lo', prefix: 8 });
      expect(findInterface(parseRouteList(fixture('route-match-v6.json')), 6)).to.deep.equal({ nic: 'eth1', prefix: 64 });
      expect(findInterface(parseRouteList(fixture('route-match-v6-longest.json')), 6)).to.deep.equal({ nic: 'eth1', prefix: 65 });
    });
    it('skips default routes, routes through gateways and unreachable routes', () => {
      const routes = parseRouteList(
        JSON.stringify([
          { dst: 'default', gateway: '192.168.1.1', dev: 'eth1' },
          { dst: '192.168.0.0/16', gateway: '192.168.1.1', dev: 'eth1' },
          { type: 'unreachable', dst: '192.168.1.0/25' },
          { type: 'blackhole', dst: '192.168.1.0/26', dev: 'lo' },
        ]),
      );
      expect(findInterface(routes, 4)).to.equal(undefined);
    });
    it('copies the broadcast of a sibling address, else computes it', () => {
      const all = links('addr-show.json');
      expect(defaultBroadcast(all, 'eth1', '192.168.1.80', 24)).to.equal('192.168.1.255');
      // eth2's address has no broadcast: the subnet's own
      expect(defaultBroadcast(all, 'eth2', '192.168.2.80', 24)).to.equal('192.168.2.255');
      expect(defaultBroadcast(all, 'eth1', '192.168.1.80', 32)).to.equal(undefined);
    });
    it('finds which interfaces hold an address', () => {
      const all = links('addr-show.json');
      expect(holders(all, 4, '10.9.0.1').map((h) => h.link.name)).to.deep.equal(['lo']);
      expect(holders(all, 6, '2001:db8:1::73').map((h) => h.link.name)).to.deep.equal(['eth1']);
      expect(holders(all, 4, '192.168.9.9')).to.deep.equal([]);
    });
    it('judges whether the address is served, with the exact prefix and a live link', () => {
      const up = links('addr-eth1-dad-done.json');
      expect(servedState(up, 4, '192.168.1.73', 'eth1', 24).state).to.equal('ok');
      expect(servedState(up, 4, '192.168.1.73', 'eth1', undefined).state).to.equal('ok');
      expect(servedState(up, 4, '192.168.1.73', 'eth1', 32).state).to.equal('absent');
      expect(servedState(up, 4, '192.168.1.73', 'eth2', 24).state).to.equal('absent');
      expect(servedState(up, 4, '192.168.1.74', 'eth1', 24).state).to.equal('absent');
      expect(servedState(links('addr-show.json'), 6, '2001:db8:1::73', 'eth1', 64).state).to.equal('tentative');
      expect(servedState(links('addr-eth1-admin-down.json'), 4, '192.168.1.73', 'eth1', 24)).to.deep.include({
        state: 'link-down',
        why: 'interface eth1 is administratively down',
      });
      expect(servedState(links('addr-eth1-no-carrier.json'), 4, '192.168.1.73', 'eth1', 24).state).to.equal('link-down');
      const dad = parseAddrShow(fixture('addr-eth1-dad-done.json').replace('"local":"2001:db8:1::73",', '"local":"2001:db8:1::73","dadfailed":true,'));
      expect(servedState(dad, 6, '2001:db8:1::73', 'eth1', 64).state).to.equal('dadfailed');
    });
  });

  describe('parameters', () => {
    it("turns the seed's parameters into typed values and settings", () => {
      const { params, config } = settingsFrom({ ...base, nic: 'eth1', cidr_netmask: '24', iflabel: 'ethcl1', lvs_support: 'true' });
      expect(params.ip).to.deep.equal({ family: 4, address: '192.168.1.73' });
      expect(params.nic).to.deep.equal({ name: 'eth1', label: undefined });
      expect(params.lvs_support).to.equal(true);
      expect(config).to.deep.include({ label: 'ethcl1', prefix: 24, announceInBackground: true });
      expect([arpMode(params.arp_sender), params.arp_interval, params.arp_count, params.arp_count_refresh]).to.deep.equal(['unsolicited', 200, 5, 0]);
    });
    it('splits the deprecated nic:label form, the label in nic winning', () => {
      const { params, config } = settingsFrom({ ...base, nic: 'eth1:web', iflabel: 'other' });
      expect(params.nic?.name).to.equal('eth1');
      expect(config.label).to.equal('web');
    });
    it('defaults arp_bg by family and honours arp_sender', () => {
      const v6 = settingsFrom({ ...base, ip: '2001:db8::73' });
      expect(v6.config.announceInBackground).to.equal(false);
      expect(v6.config.broadcast).to.equal(undefined);
      expect(settingsFrom({ ...base, arp_bg: 'false' }).config.announceInBackground).to.equal(false);
      expect(arpMode(settingsFrom({ ...base, arp_sender: 'iputils_arping_answer' }).params.arp_sender)).to.equal('answer');
      expect(arpMode(settingsFrom({ ...base, arp_sender: 'send_arp' }).params.arp_sender)).to.equal('unsolicited');
    });
    it('refuses inherently wrong configurations with OCF_ERR_CONFIGURED and a reason', () => {
      expect(configuredError(() => settingsFrom({ ...base, ip: 'vip.example.org' }))).to.match(/not an IPv4 address/);
      expect(configuredError(() => settingsFrom({ ...base, cidr_netmask: '33' }))).to.match(/out of range 1\.\.32/);
      expect(configuredError(() => settingsFrom({ ...base, nic: 'eth1', iflabel: 'averylonglabel' }))).to.match(/eth1:averylonglabel.*longer than 15/);
      expect(configuredError(() => settingsFrom({ ...base, ip: '2001:db8::73', iflabel: 'x' }))).to.match(/IPv4 addresses only/);
      expect(configuredError(() => settingsFrom({ ...base, ip: '2001:db8::73', lvs_support: 'true' }))).to.match(/lvs_support/);
      expect(configuredError(() => settingsFrom({ ...base, ip: 'fe80::73' }))).to.match(/nic is required/);
      expect(configuredError(() => settingsFrom({ ...base, broadcast: '192.168.1' }))).to.match(/broadcast/);
      expect(configuredError(() => settingsFrom({ ...base, preferred_lft: 'soon' }))).to.match(/preferred_lft/);
    });
  });

  describe('commands', () => {
    it('builds ip addr add as heartbeat does', () => {
      const common = { nodad: false, noprefixroute: false, preferredLft: 'forever' };
      expect(addArgs({ ...common, family: 4, ip: '192.168.1.73', prefix: 24, nic: 'eth1', broadcast: '192.168.1.255', label: 'eth1:ethcl1' })).to.deep.equal(
        ['-f', 'inet', 'addr', 'add', '192.168.1.73/24', 'brd', '192.168.1.255', 'dev', 'eth1', 'label', 'eth1:ethcl1'],
      );
      expect(addArgs({ ...common, family: 4, ip: '192.168.1.73', prefix: 32, nic: 'eth1', broadcast: undefined, label: undefined, noprefixroute: true })).to.deep.equal(
        ['-f', 'inet', 'addr', 'add', '192.168.1.73/32', 'dev', 'eth1', 'noprefixroute'],
      );
      expect(addArgs({ ...common, family: 6, ip: '2001:db8::73', prefix: 64, nic: 'eth1', broadcast: undefined, label: undefined, nodad: true })).to.deep.equal(
        ['-f', 'inet6', 'addr', 'add', '2001:db8::73/64', 'dev', 'eth1', 'nodad', 'preferred_lft', 'forever'],
      );
    });
    it('builds the announcement commands and reads the announcer arguments back', () => {
      const a = { nic: 'eth1', ip: '192.168.1.73', prefix: 24, mode: 'unsolicited' as const, count: 5, intervalMs: 200 };
      expect(arpingArgs(a)).to.deep.equal(['-U', '-c', '1', '-I', 'eth1', '192.168.1.73']);
      expect(arpingArgs({ ...a, mode: 'answer' })[0]).to.equal('-A');
      expect(sendUaArgs({ ...a, ip: '2001:db8::73', prefix: 64 })).to.deep.equal(['-i', '200', '-c', '5', '2001:db8::73', '64', 'eth1']);
      expect(parseAnnouncerArgs(['eth1', '192.168.1.73', '24', 'unsolicited', '5', '200'])).to.deep.equal(a);
      expect(parseAnnouncerArgs(['eth1', '192.168.1.73', '24', 'loud', '5', '200'])).to.equal(undefined);
      expect(parseAnnouncerArgs(['eth1', '192.168.1.73', '24', 'answer', '-5', '200'])).to.equal(undefined);
    });
  });
});
