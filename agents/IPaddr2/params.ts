// SPDX-License-Identifier: GPL-2.0-or-later
// ocf:heartbeat:IPaddr2's parameters, with its names and defaults, each parsed once here; configure() holds the
// rules that read several of them together. Pure: nothing here looks at the host.
import type { ActionContext } from '../../lib/ocf/agent.js';
import { OcfError } from '../../lib/ocf/errors.js';
import { invalid, param, type Invalid, type Params } from '../../lib/ocf/params.js';
import { eventWatchParam } from '../../lib/watch/interest.js';
import { parseIp, parsePrefix } from './address.js';

/** Linux IFNAMSIZ - 1: the longest interface name, and so the longest `nic:label`. */
export const MAX_IFNAME = 15;

const IFNAME = /^[A-Za-z0-9_.@+-]+$/;
const LABEL = /^[A-Za-z0-9_.@+:-]+$/;

/** An interface, and the label of heartbeat's old `nic=eth0:label` form. */
export type Nic = { readonly name: string; readonly label: string | undefined };

export function parseNic(raw: string): Nic | Invalid {
  const [name = '', ...rest] = raw.split(':');
  if (!IFNAME.test(name) || name.length > MAX_IFNAME || name === '.' || name === '..') {
    return invalid(`nic \`${raw}\` is not an interface name`);
  }
  if (rest.length === 0) return { name, label: undefined };
  const label = rest.join(':');
  return LABEL.test(label) ? { name, label } : invalid(`nic \`${raw}\`: the part after \`:\` is not a label`);
}

const isBroadcast = (raw: string): boolean => {
  if (raw === '+' || raw === '-') return true;
  const parsed = parseIp(raw);
  return !('problem' in parsed) && parsed.family === 4;
};

export const ipaddr2Params = {
  ip: param.string({
    shortdesc: 'IPv4 or IPv6 address',
    longdesc:
      'The virtual address to manage, IPv4 (192.168.1.73) or IPv6 (2001:db8::73; any spelling, compared in its ' +
      'RFC 5952 form). Multicast addresses, 0.0.0.0/8, :: and ::1 are refused.',
    required: true,
    unique: true,
    parse: (raw) => {
      const parsed = parseIp(raw);
      return 'problem' in parsed ? invalid(`parameter \`ip\`: ${parsed.problem}`) : parsed;
    },
  }),
  nic: param.string({
    shortdesc: 'Network interface',
    longdesc:
      'The interface to put the address on, e.g. eth1. When empty, the interface whose connected subnet holds ' +
      'the address (the longest matching prefix route, as heartbeat findif does); no such interface is a ' +
      'configuration error. The old form eth1:label is accepted and sets the label.',
    parse: parseNic,
  }),
  cidr_netmask: param.string({
    shortdesc: 'Prefix length',
    longdesc:
      'The prefix length of the address, 1-32 for IPv4 and 1-128 for IPv6 (a dotted-quad IPv4 netmask is ' +
      'converted with a warning). When empty, the prefix of the connected subnet that holds the address. The ' +
      'monitor counts the address as running only with exactly this prefix.',
  }),
  broadcast: param.string({
    shortdesc: 'Broadcast address',
    longdesc:
      'IPv4 only (ignored for IPv6). When empty: the broadcast of an address already on the interface in the ' +
      'same subnet, otherwise the subnet\'s all-ones address (none for /31 and /32). `+` and `-` are passed to ' +
      'ip as they are (host bits all ones, all zeros).',
    parse: (raw) => (isBroadcast(raw) ? raw : invalid(`broadcast \`${raw}\` is not an IPv4 address, \`+\` or \`-\``)),
  }),
  iflabel: param.string({
    shortdesc: 'Interface label',
    longdesc:
      'IPv4 only: the address gets the label nic:iflabel (what ifconfig shows as an alias such as eth1:ethcl1). ' +
      'nic:iflabel must be at most 15 characters, the kernel limit. Refused for IPv6, where the kernel keeps ' +
      'no label.',
    parse: (raw) => (LABEL.test(raw) ? raw : invalid(`iflabel \`${raw}\` holds characters an interface label cannot`)),
  }),
  lvs_support: param.boolean({
    shortdesc: 'LVS direct-routing support',
    longdesc:
      'For LVS direct routing, where a real server holds the address on lo: start removes it from lo (and ' +
      'remembers it), stop puts it back. IPv4 only.',
    default: false,
  }),
  arp_interval: param.integer({
    shortdesc: 'Milliseconds between gratuitous ARPs',
    longdesc: 'Interval between the gratuitous ARP packets (IPv4) or unsolicited neighbour advertisements (IPv6).',
    default: 200,
    min: 1,
  }),
  arp_count: param.integer({
    shortdesc: 'Gratuitous ARPs on start',
    longdesc: 'How many gratuitous ARPs (IPv4) or unsolicited neighbour advertisements (IPv6) start sends.',
    default: 5,
    min: 1,
  }),
  arp_count_refresh: param.integer({
    shortdesc: 'Gratuitous ARPs on each monitor',
    longdesc: 'How many gratuitous ARPs every successful monitor sends again (IPv4); 0 sends none.',
    default: 0,
    min: 0,
  }),
  arp_bg: param.boolean({
    shortdesc: 'Announce in the background',
    longdesc:
      'Whether start returns before the announcements are sent (a detached sender goes on after the agent ' +
      'exits; stop ends it). When empty: true for IPv4, false for IPv6 (as heartbeat).',
  }),
  arp_sender: param.select({
    shortdesc: 'ARP flavour',
    longdesc:
      'How IPv4 announcements are sent, always with iputils arping: iputils_arping sends gratuitous ARP ' +
      'requests (arping -U), iputils_arping_answer gratuitous ARP replies (arping -A), which some switches ' +
      'and hosts honour better. send_arp and libnet_arping, heartbeat\'s other senders, are accepted for ' +
      'existing configurations and behave as iputils_arping.',
    options: ['iputils_arping', 'iputils_arping_answer', 'send_arp', 'libnet_arping'],
    default: 'iputils_arping',
  }),
  flush_routes: param.boolean({
    shortdesc: 'Flush the route cache on stop',
    longdesc: 'Run `ip route flush cache` after removing the address (as heartbeat).',
    default: false,
  }),
  nodad: param.boolean({
    shortdesc: 'Skip IPv6 duplicate address detection',
    longdesc: 'IPv6: add the address with nodad, so start neither waits for DAD nor detects a duplicate.',
    default: false,
  }),
  noprefixroute: param.boolean({
    shortdesc: 'No prefix route',
    longdesc: 'Add the address with noprefixroute: the kernel creates no route for its subnet.',
    default: false,
  }),
  preferred_lft: param.string({
    shortdesc: 'IPv6 preferred lifetime',
    longdesc:
      'IPv6: the preferred lifetime, forever or seconds; 0 keeps the address from being chosen as a source ' +
      'address (RFC 4862 section 5.5.4).',
    default: 'forever',
    parse: (raw) =>
      raw === 'forever' || /^\d+$/.test(raw) ? raw : invalid(`preferred_lft \`${raw}\` is neither \`forever\` nor a number of seconds`),
  }),
  event_watch: eventWatchParam('the address deleted from its interface, the link down or without a carrier'),
} as const;

export type IPaddr2Params = typeof ipaddr2Params;

/** What the parameters mean together. */
export type Config = {
  /** nic's `:label` (which wins, as in heartbeat) or iflabel; IPv4 only. */
  readonly label: string | undefined;
  /** cidr_netmask read for the address's family; undefined: the connected subnet's. */
  readonly prefix: number | undefined;
  /** cidr_netmask was a dotted quad (heartbeat warns and converts). */
  readonly dottedNetmask: boolean;
  /** The explicit broadcast; IPv6 has none and heartbeat ignores the parameter there, and so do we. */
  readonly broadcast: string | undefined;
  /** arp_bg, else heartbeat's default: in the background for IPv4, in the foreground for IPv6. */
  readonly announceInBackground: boolean;
};

export type Ctx = ActionContext<IPaddr2Params, Config>;

/** `nic:label` as ip wants it, checked against the kernel's 15-character limit. */
export function fullLabel(nic: string, label: string): string {
  const full = `${nic}:${label}`;
  if (full.length > MAX_IFNAME) {
    throw OcfError.configured(`interface label \`${full}\` is longer than ${MAX_IFNAME} characters`);
  }
  return full;
}

/** The rules that combine parameters; throws OcfError(ERR_CONFIGURED). */
export function configure(params: Params<IPaddr2Params>): Config {
  const { family, address } = params.ip;
  const nic = params.nic?.name;
  const label = params.nic?.label ?? params.iflabel;
  if (label !== undefined && family === 6) {
    throw OcfError.configured('iflabel applies to IPv4 addresses only (the kernel keeps no label on IPv6 addresses)');
  }
  if (label !== undefined && nic !== undefined) fullLabel(nic, label);
  if (family === 6 && address.startsWith('fe80:') && nic === undefined) {
    throw OcfError.configured(`nic is required for the link-local address ${address}`);
  }
  let prefix: number | undefined;
  let dottedNetmask = false;
  if (params.cidr_netmask !== undefined) {
    const p = parsePrefix(params.cidr_netmask, family);
    if ('problem' in p) throw OcfError.configured(p.problem);
    prefix = p.prefix;
    dottedNetmask = p.dotted;
  }
  if (params.lvs_support && family === 6) throw OcfError.configured('lvs_support applies to IPv4 addresses only');
  return {
    label,
    prefix,
    dottedNetmask,
    broadcast: family === 4 ? params.broadcast : undefined,
    announceInBackground: params.arp_bg ?? family === 4,
  };
}
