// SPDX-License-Identifier: GPL-2.0-or-later
import { defineAgent } from '../../lib/ocf/agent.js';
import { param } from '../../lib/ocf/params.js';
import { monitor, start, stop, validate } from './actions.js';
import { checkBroadcast, checkIp, checkLabel, checkNic, checkPreferredLft, settingsFrom } from './config.js';

export const ipaddr2Params = {
  ip: param.string({
    shortdesc: 'IPv4 or IPv6 address',
    longdesc:
      'The virtual address to manage, IPv4 (192.168.1.73) or IPv6 (2001:db8::73; any spelling, compared in its ' +
      'RFC 5952 form). Multicast addresses, 0.0.0.0/8, :: and ::1 are refused.',
    required: true,
    unique: true,
    check: checkIp,
  }),
  nic: param.string({
    shortdesc: 'Network interface',
    longdesc:
      'The interface to put the address on, e.g. eth1. When empty, the interface whose connected subnet holds ' +
      'the address (the longest matching prefix route, as heartbeat findif does); no such interface is a ' +
      'configuration error. The old form eth1:label is accepted and sets the label.',
    check: checkNic,
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
    check: checkBroadcast,
  }),
  iflabel: param.string({
    shortdesc: 'Interface label',
    longdesc:
      'IPv4 only: the address gets the label nic:iflabel (what ifconfig shows as an alias such as eth1:ethcl1). ' +
      'nic:iflabel must be at most 15 characters, the kernel limit. Refused for IPv6, where the kernel keeps ' +
      'no label.',
    check: checkLabel,
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
    check: checkPreferredLft,
  }),
} as const;

export type IPaddr2Params = typeof ipaddr2Params;

export const ipaddr2 = defineAgent({
  name: 'IPaddr2',
  version: '0.1.0',
  shortdesc: 'Manages a virtual IPv4 or IPv6 address',
  longdesc:
    'Puts a virtual address on an interface with iproute2 and announces it: gratuitous ARP (iputils arping) for ' +
    'IPv4, unsolicited neighbour advertisements after duplicate address detection for IPv6. The monitor fails ' +
    'when the address sits on an interface that is down or has lost its carrier. Drop-in replacement for ' +
    'ocf:heartbeat:IPaddr2 (same parameter names) without its CLUSTERIP load sharing, which current kernels ' +
    'removed: a clone with clone-max greater than 1 is refused.',
  params: ipaddr2Params,
  actions: {
    start: { timeout: '20s', handler: start },
    stop: { timeout: '20s', handler: stop },
    monitor: { timeout: '20s', interval: '10s', depth: 0, handler: monitor },
  },
  configure: settingsFrom,
  validate,
  validateTimeout: '20s',
});
