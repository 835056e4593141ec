// SPDX-License-Identifier: GPL-2.0-or-later
// Pure parsers of iproute2's JSON output (`ip -j addr show`, `ip -j route list`), checked field by field so a
// change of format fails loudly instead of reading as "address absent".
import type { Family } from './address.js';

export type LinkAddress = {
  readonly family: Family;
  readonly local: string;
  readonly prefix: number;
  readonly broadcast: string | undefined;
  readonly label: string | undefined;
  readonly tentative: boolean;
  readonly dadfailed: boolean;
};

export type Link = {
  readonly name: string;
  readonly flags: readonly string[];
  readonly operstate: string;
  readonly addresses: readonly LinkAddress[];
};

export type Route = {
  /** `192.168.1.0/24`, `default`, or a host route without a prefix. */
  readonly dst: string;
  readonly dev: string | undefined;
  readonly prefsrc: string | undefined;
  readonly type: string | undefined;
  /** Set on routes through a router: those are not connected subnets. */
  readonly gateway: string | undefined;
};

export class IpJsonError extends Error {
  override readonly name = 'IpJsonError';
}

type Json = Record<string, unknown>;

function records(text: string, what: string): Json[] {
  let data: unknown;
  try {
    // `ip -j` prints nothing at all for an empty list on some versions.
    data = text.trim() === '' ? [] : JSON.parse(text);
  } catch {
    throw new IpJsonError(`${what}: output is not JSON`);
  }
  if (!Array.isArray(data)) throw new IpJsonError(`${what}: expected a JSON array`);
  return data.filter((item): item is Json => typeof item === 'object' && item !== null && !Array.isArray(item));
}

function optionalString(record: Json, key: string): string | undefined {
  const value = record[key];
  return typeof value === 'string' ? value : undefined;
}

function requiredString(record: Json, key: string, what: string): string {
  const value = record[key];
  if (typeof value !== 'string') throw new IpJsonError(`${what}: entry without a \`${key}\` string`);
  return value;
}

function parseAddress(record: Json): LinkAddress | undefined {
  const family = record.family === 'inet' ? 4 : record.family === 'inet6' ? 6 : undefined;
  if (family === undefined) return undefined; // other families (none today) are not ours
  const local = requiredString(record, 'local', 'ip addr');
  const prefix = record.prefixlen;
  if (typeof prefix !== 'number') throw new IpJsonError('ip addr: address without a numeric `prefixlen`');
  return {
    family,
    local,
    prefix,
    broadcast: optionalString(record, 'broadcast'),
    label: optionalString(record, 'label'),
    tentative: record.tentative === true,
    dadfailed: record.dadfailed === true,
  };
}

/** `ip -j addr show [dev X]`. */
export function parseAddrShow(text: string): Link[] {
  return records(text, 'ip addr').map((link) => {
    const flags = Array.isArray(link.flags) ? link.flags.filter((f): f is string => typeof f === 'string') : [];
    const info = Array.isArray(link.addr_info) ? link.addr_info : [];
    const addresses = info
      .filter((a): a is Json => typeof a === 'object' && a !== null)
      .map(parseAddress)
      .filter((a): a is LinkAddress => a !== undefined);
    return {
      name: requiredString(link, 'ifname', 'ip addr'),
      flags,
      operstate: optionalString(link, 'operstate') ?? 'UNKNOWN',
      addresses,
    };
  });
}

/** `ip -j route list ...`. */
export function parseRouteList(text: string): Route[] {
  return records(text, 'ip route').map((route) => ({
    dst: requiredString(route, 'dst', 'ip route'),
    dev: optionalString(route, 'dev'),
    prefsrc: optionalString(route, 'prefsrc'),
    type: optionalString(route, 'type'),
    gateway: optionalString(route, 'gateway'),
  }));
}

export type LinkHealth = { readonly up: true } | { readonly up: false; readonly why: string };

/**
 * Whether a link can carry the address: administratively up and with a carrier (heartbeat 4.12 checks neither,
 * ClusterLabs/resource-agents#2047). operstate UNKNOWN is normal for drivers that do not report it.
 */
export function linkHealth(link: Link): LinkHealth {
  if (!link.flags.includes('UP')) return { up: false, why: `interface ${link.name} is administratively down` };
  if (link.flags.includes('NO-CARRIER') || !link.flags.includes('LOWER_UP')) {
    return { up: false, why: `interface ${link.name} has no carrier` };
  }
  if (link.operstate === 'DOWN' || link.operstate === 'LOWERLAYERDOWN' || link.operstate === 'NOTPRESENT') {
    return { up: false, why: `interface ${link.name} is ${link.operstate}` };
  }
  return { up: true };
}
