// SPDX-License-Identifier: GPL-2.0-or-later
// Pure decisions over the parsed state: which interface and prefix an address belongs to (heartbeat's findif.sh),
// its default broadcast, and whether it is served.
import { computedBroadcast, sameAddress, sameNetwork, type Family } from './address.js';
import { linkHealth, type Link, type LinkAddress, type Route } from './ip-json.js';

export type FoundInterface = { readonly nic: string; readonly prefix: number };

function routePrefix(route: Route, family: Family): number | undefined {
  const slash = route.dst.indexOf('/');
  if (slash >= 0) return Number(route.dst.slice(slash + 1));
  // `ip route` prints an IPv6 /128 without its prefix (findif.sh accepts `*:*:*` for that reason)
  if (family === 6 && route.dst.includes(':')) return 128;
  return undefined;
}

/**
 * findif.sh: among the routes that `ip route list match IP` returned (scope link for IPv4), keep those with a
 * prefix (and on `nic` when given), take the longest prefix; on a tie the last one wins, as its awk does. Routes
 * through a gateway are skipped: they are not connected subnets.
 */
export function findInterface(routes: readonly Route[], family: Family, nic?: string): FoundInterface | undefined {
  let best: FoundInterface | undefined;
  for (const route of routes) {
    if (!route.dev || route.gateway !== undefined || (nic !== undefined && route.dev !== nic)) continue;
    if (route.type !== undefined && route.type !== 'unicast' && route.type !== 'local') continue;
    const prefix = routePrefix(route, family);
    if (prefix === undefined || !Number.isInteger(prefix)) continue;
    if (!best || prefix >= best.prefix) best = { nic: route.dev, prefix };
  }
  return best;
}

/**
 * The broadcast to use when none is configured: that of an address already on the interface in the same subnet
 * (what heartbeat copies), else the subnet's all-ones address; none for /31 and /32.
 */
export function defaultBroadcast(links: readonly Link[], nic: string, ip: string, prefix: number): string | undefined {
  const link = links.find((l) => l.name === nic);
  const sibling = link?.addresses.find(
    (a) => a.family === 4 && a.prefix === prefix && a.broadcast !== undefined && a.local !== ip && sameNetwork(4, a.local, ip, prefix),
  );
  return sibling?.broadcast ?? computedBroadcast(ip, prefix);
}

/** The interfaces carrying the address (any prefix), in listing order. */
export function holders(links: readonly Link[], family: Family, ip: string): { link: Link; address: LinkAddress }[] {
  const out: { link: Link; address: LinkAddress }[] = [];
  for (const link of links) {
    for (const address of link.addresses) {
      if (address.family === family && sameAddress(family, address.local, ip)) out.push({ link, address });
    }
  }
  return out;
}

export type Served =
  | { readonly state: 'absent' }
  | { readonly state: 'ok'; readonly address: LinkAddress }
  | { readonly state: 'link-down'; readonly why: string; readonly address: LinkAddress }
  | { readonly state: 'tentative'; readonly address: LinkAddress }
  | { readonly state: 'dadfailed'; readonly address: LinkAddress };

/**
 * Is ip/prefix on nic? As heartbeat, the prefix must match exactly (a different prefix is another address);
 * `prefix` undefined accepts any. Unlike heartbeat 4.12, an address on a link that is down or without carrier
 * is reported as such rather than as running.
 */
export function servedState(links: readonly Link[], family: Family, ip: string, nic: string, prefix: number | undefined): Served {
  const link = links.find((l) => l.name === nic);
  if (!link) return { state: 'absent' };
  const address = link.addresses.find((a) => a.family === family && sameAddress(family, a.local, ip) && (prefix === undefined || a.prefix === prefix));
  if (!address) return { state: 'absent' };
  if (address.dadfailed) return { state: 'dadfailed', address };
  const health = linkHealth(link);
  if (!health.up) return { state: 'link-down', why: health.why, address };
  if (address.tentative) return { state: 'tentative', address };
  return { state: 'ok', address };
}
