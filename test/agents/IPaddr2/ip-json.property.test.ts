// SPDX-License-Identifier: GPL-2.0-or-later
// Property tests of the iproute2 JSON parsers: any output either parses or raises IpJsonError (which ip.ts turns
// into OcfError generic), and what `ip -j` prints for a set of links and routes reads back as those links and routes.
import { expect } from 'chai';
import fc from 'fast-check';
import { IpJsonError, linkHealth, parseAddrShow, parseRouteList, type Link, type LinkAddress, type Route } from '../../../agents/IPaddr2/ip-json.js';
import { RUNS, anyText, linesOf } from '../../helpers/hostile-text.js';

/** Runs a parser; anything thrown other than IpJsonError fails the property. */
function answers(parse: () => unknown): void {
  try {
    parse();
  } catch (error) {
    expect(error, String(error)).to.be.instanceOf(IpJsonError);
  }
}

// Output shaped like iproute2's, with any value in any place.
const looseRecord = fc.dictionary(
  fc.constantFrom('ifname', 'flags', 'operstate', 'addr_info', 'family', 'local', 'prefixlen', 'label', 'dst', 'dev', 'prefsrc', 'type', 'gateway', 'tentative', 'x'),
  fc.oneof(fc.jsonValue(), fc.array(fc.dictionary(fc.constantFrom('family', 'local', 'prefixlen', 'broadcast', 'label', 'tentative', 'dadfailed'), fc.jsonValue()), { maxLength: 3 })),
);
const ipLikeOutput = fc.oneof(
  anyText,
  fc.jsonValue().map((v) => JSON.stringify(v)),
  fc.array(fc.oneof(looseRecord, fc.jsonValue()), { maxLength: 5 }).map((v) => JSON.stringify(v)),
  linesOf(['[', ']', '{', '}', ',', '"ifname":', '"addr_info":', '"dst":', '"eth0"', '24', 'null', 'true']),
);

const ifname = fc.stringMatching(/^[a-z][a-z0-9]{0,7}(?:\.[0-9]{1,4})?$/);
const ipv4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((p) => p.join('.'));
const ipv6 = fc.array(fc.nat(0xffff).map((n) => n.toString(16)), { minLength: 8, maxLength: 8 }).map((p) => p.join(':'));
const addressBase = fc.oneof(
  fc.record({ family: fc.constant(4 as const), local: ipv4, prefix: fc.integer({ min: 0, max: 32 }), broadcast: fc.option(ipv4, { nil: undefined }) }),
  fc.record({ family: fc.constant(6 as const), local: ipv6, prefix: fc.integer({ min: 0, max: 128 }), broadcast: fc.constant(undefined) }),
);
const addressFlags = fc.record({ label: fc.option(fc.stringMatching(/^[a-z0-9]{1,8}(?::[a-z0-9]{1,6})?$/), { nil: undefined }), tentative: fc.boolean(), dadfailed: fc.boolean() });
const address: fc.Arbitrary<LinkAddress> = fc.tuple(addressBase, addressFlags).map(([base, flags]) => ({ ...base, ...flags }));
const link: fc.Arbitrary<Link> = fc.record({
  name: ifname,
  flags: fc.subarray(['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP', 'NO-CARRIER', 'LOOPBACK']),
  operstate: fc.constantFrom('UP', 'DOWN', 'UNKNOWN', 'LOWERLAYERDOWN'),
  addresses: fc.array(address, { maxLength: 4 }),
});
const route: fc.Arbitrary<Route> = fc.record({
  dst: fc.oneof(fc.constant('default'), ipv4, fc.tuple(ipv4, fc.integer({ min: 0, max: 32 })).map(([a, p]) => `${a}/${p}`)),
  dev: fc.option(ifname, { nil: undefined }),
  prefsrc: fc.option(ipv4, { nil: undefined }),
  type: fc.option(fc.constantFrom('unicast', 'local', 'broadcast'), { nil: undefined }),
  gateway: fc.option(ipv4, { nil: undefined }),
});

/** What `ip -j addr show` prints for links (iproute2 omits false flags and absent keys). */
function ipAddrJson(links: readonly Link[]): string {
  return JSON.stringify(
    links.map((l, i) => ({
      ifindex: i + 1,
      ifname: l.name,
      flags: l.flags,
      mtu: 1500,
      operstate: l.operstate,
      addr_info: l.addresses.map((a) => ({
        family: a.family === 4 ? 'inet' : 'inet6',
        local: a.local,
        prefixlen: a.prefix,
        ...(a.broadcast === undefined ? {} : { broadcast: a.broadcast }),
        scope: 'global',
        ...(a.label === undefined ? {} : { label: a.label }),
        ...(a.tentative ? { tentative: true } : {}),
        ...(a.dadfailed ? { dadfailed: true } : {}),
        valid_life_time: 4294967295,
        preferred_life_time: 4294967295,
      })),
    })),
  );
}

function ipRouteJson(routes: readonly Route[]): string {
  return JSON.stringify(routes.map((r) => Object.fromEntries(Object.entries({ ...r, protocol: 'kernel', scope: 'link', flags: [] }).filter(([, v]) => v !== undefined))));
}

describe('IPaddr2 ip -j parsers: property tests', () => {
  it('parseAddrShow answers any output with links or IpJsonError', () => {
    fc.assert(fc.property(ipLikeOutput, (text) => answers(() => parseAddrShow(text).map(linkHealth))), RUNS);
  });

  it('parseRouteList answers any output with routes or IpJsonError', () => {
    fc.assert(fc.property(ipLikeOutput, (text) => answers(() => parseRouteList(text))), RUNS);
  });

  it('reads back the links and addresses ip -j addr show prints', () => {
    fc.assert(fc.property(fc.array(link, { maxLength: 4 }), (links) => {
      expect(parseAddrShow(ipAddrJson(links))).to.deep.equal(links);
    }), RUNS);
  });

  it('reads back the routes ip -j route list prints', () => {
    fc.assert(fc.property(fc.array(route, { maxLength: 5 }), (routes) => {
      expect(parseRouteList(ipRouteJson(routes))).to.deep.equal(routes);
    }), RUNS);
  });
});
