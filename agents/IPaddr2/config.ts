// SPDX-License-Identifier: GPL-2.0-or-later
// Parameters to settings, purely: what can be said about a configuration without looking at the host.
import { OcfError } from '../../lib/ocf/errors.js';
import { parseIp, parsePrefix, type Family } from './address.js';

/** Linux IFNAMSIZ - 1: the longest interface name, and so the longest `nic:label`. */
export const MAX_IFNAME = 15;

export type ArpMode = 'unsolicited' | 'answer';

export type Settings = {
  readonly family: Family;
  /** Canonical text (RFC 5952 for IPv6). */
  readonly ip: string;
  /** Base interface, when configured. */
  readonly nic: string | undefined;
  /** The label part after `nic:` (from iflabel, or from a deprecated `nic=eth0:label`). */
  readonly label: string | undefined;
  readonly prefix: number | undefined;
  /** cidr_netmask was a dotted quad (heartbeat warns and converts). */
  readonly dottedNetmask: boolean;
  /** Explicit broadcast: an address, `+` or `-`. */
  readonly broadcast: string | undefined;
  readonly lvsSupport: boolean;
  readonly arp: {
    readonly mode: ArpMode;
    readonly intervalMs: number;
    readonly count: number;
    readonly countRefresh: number;
    readonly background: boolean;
  };
  readonly flushRoutes: boolean;
  readonly nodad: boolean;
  readonly noprefixroute: boolean;
  readonly preferredLft: string;
};

export type RawParams = {
  readonly ip: string;
  readonly nic?: string | undefined;
  readonly cidr_netmask?: string | undefined;
  readonly broadcast?: string | undefined;
  readonly iflabel?: string | undefined;
  readonly lvs_support: boolean;
  readonly arp_interval: number;
  readonly arp_count: number;
  readonly arp_count_refresh: number;
  readonly arp_bg?: boolean | undefined;
  readonly arp_sender: string;
  readonly flush_routes: boolean;
  readonly nodad: boolean;
  readonly noprefixroute: boolean;
  readonly preferred_lft: string;
};

const IFNAME = /^[A-Za-z0-9_.@+-]+$/;
const LABEL = /^[A-Za-z0-9_.@+:-]+$/;

/** The per-value check used by the parameter declarations (values that are wrong whatever the host). */
export function checkNic(value: string): string | undefined {
  const [base = '', ...rest] = value.split(':');
  if (!IFNAME.test(base) || base.length > MAX_IFNAME || base === '.' || base === '..') {
    return `nic \`${value}\` is not an interface name`;
  }
  if (rest.length > 0 && !LABEL.test(rest.join(':'))) return `nic \`${value}\`: the part after \`:\` is not a label`;
  return undefined;
}

export function checkLabel(value: string): string | undefined {
  return LABEL.test(value) ? undefined : `iflabel \`${value}\` holds characters an interface label cannot`;
}

export function checkIp(value: string): string | undefined {
  const parsed = parseIp(value);
  return 'problem' in parsed ? `parameter \`ip\`: ${parsed.problem}` : undefined;
}

export function checkBroadcast(value: string): string | undefined {
  if (value === '+' || value === '-') return undefined;
  const parsed = parseIp(value);
  return 'problem' in parsed || parsed.family !== 4 ? `broadcast \`${value}\` is not an IPv4 address, \`+\` or \`-\`` : undefined;
}

export function checkPreferredLft(value: string): string | undefined {
  return value === 'forever' || /^\d+$/.test(value) ? undefined : `preferred_lft \`${value}\` is neither \`forever\` nor a number of seconds`;
}

/** `nic:label` as ip wants it, checked against the kernel's 15-character limit. */
export function fullLabel(nic: string, label: string): string {
  const full = `${nic}:${label}`;
  if (full.length > MAX_IFNAME) {
    throw OcfError.configured(`interface label \`${full}\` is longer than ${MAX_IFNAME} characters`);
  }
  return full;
}

/** Every check that needs no system state; throws OcfError(ERR_CONFIGURED). */
export function settingsFrom(params: RawParams): Settings {
  const parsed = parseIp(params.ip);
  if ('problem' in parsed) throw OcfError.configured(`parameter \`ip\`: ${parsed.problem}`);
  const { family, address } = parsed;

  // heartbeat still accepts the old `nic=eth0:label` form; the label in nic wins over iflabel, as there.
  let nic = params.nic;
  let label = params.iflabel;
  if (nic?.includes(':')) {
    const colon = nic.indexOf(':');
    label = nic.slice(colon + 1);
    nic = nic.slice(0, colon);
  }
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
  if (params.broadcast !== undefined) {
    const problem = checkBroadcast(params.broadcast);
    if (problem) throw OcfError.configured(problem);
  }
  if (params.lvs_support && family === 6) throw OcfError.configured('lvs_support applies to IPv4 addresses only');
  const lftProblem = checkPreferredLft(params.preferred_lft);
  if (lftProblem) throw OcfError.configured(lftProblem);

  return {
    family,
    ip: address,
    nic,
    label,
    prefix,
    dottedNetmask,
    // IPv6 has no broadcast; heartbeat ignores the parameter there, and so do we.
    broadcast: family === 4 ? params.broadcast : undefined,
    lvsSupport: params.lvs_support,
    arp: {
      mode: params.arp_sender === 'iputils_arping_answer' ? 'answer' : 'unsolicited',
      intervalMs: params.arp_interval,
      count: params.arp_count,
      countRefresh: params.arp_count_refresh,
      // heartbeat: announcements in the background by default for IPv4, in the foreground for IPv6.
      background: params.arp_bg ?? family === 4,
    },
    flushRoutes: params.flush_routes,
    nodad: params.nodad,
    noprefixroute: params.noprefixroute,
    preferredLft: params.preferred_lft,
  };
}
