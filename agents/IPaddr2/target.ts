// SPDX-License-Identifier: GPL-2.0-or-later
// Where the address goes (start) or is looked for (monitor, stop): configuration plus what the host shows.
import type { Exec } from '../../lib/exec.js';
import { OcfError } from '../../lib/ocf/errors.js';
import { fullLabel, type Settings } from './config.js';
import { defaultBroadcast, findInterface, holders } from './findif.js';
import type { Link } from './ip-json.js';
import { routesMatching } from './ip.js';

export type Placement = {
  readonly nic: string;
  readonly prefix: number;
  readonly broadcast: string | undefined;
  /** `nic:label`, checked against the 15-character limit. */
  readonly label: string | undefined;
};

function requireNic(links: readonly Link[], nic: string): void {
  if (!links.some((l) => l.name === nic)) throw OcfError.configured(`interface \`${nic}\` does not exist`);
}

export type Location = { readonly nic: string; readonly prefix: number | undefined };

/**
 * heartbeat's findif: the configured nic (which must exist) or the interface whose connected subnet holds ip,
 * with cidr_netmask or else that subnet's prefix (undefined when no subnet on the configured nic holds ip).
 */
async function findif(exec: Exec, s: Settings, links: readonly Link[]): Promise<Location | undefined> {
  if (s.nic !== undefined) {
    requireNic(links, s.nic);
    if (s.prefix !== undefined) return { nic: s.nic, prefix: s.prefix };
    const found = findInterface(await routesMatching(exec, s.family, s.ip, undefined), s.family, s.nic);
    return { nic: s.nic, prefix: found?.prefix };
  }
  const found = findInterface(await routesMatching(exec, s.family, s.ip, s.prefix), s.family);
  return found && { nic: found.nic, prefix: s.prefix ?? found.prefix };
}

/** For start and validate-all: every value ip addr add needs, or OCF_ERR_CONFIGURED with the reason. */
export async function placementFor(exec: Exec, s: Settings, links: readonly Link[]): Promise<Placement> {
  const where = await findif(exec, s, links);
  if (!where) throw OcfError.configured(`no interface has a connected subnet holding ${s.ip}; set nic and cidr_netmask`);
  const { nic, prefix } = where;
  if (prefix === undefined) throw OcfError.configured(`no subnet connected to ${nic} holds ${s.ip}; set cidr_netmask`);
  const label = s.label === undefined ? undefined : fullLabel(nic, s.label);
  const broadcast = s.family === 4 ? (s.broadcast ?? defaultBroadcast(links, nic, s.ip, prefix)) : undefined;
  return { nic, prefix, broadcast, label };
}

/**
 * For monitor and stop, which only look: findif's answer. When the subnet route has gone (a link set down drops
 * it), fall back to any prefix on the configured nic, or to the interface that holds the address; undefined when
 * the address is nowhere.
 */
export async function locate(exec: Exec, s: Settings, links: readonly Link[]): Promise<Location | undefined> {
  const found = await findif(exec, s, links);
  if (found) return found;
  const held = holders(links, s.family, s.ip).find((h) => h.link.name !== 'lo' && (s.prefix === undefined || h.address.prefix === s.prefix));
  return held ? { nic: held.link.name, prefix: held.address.prefix } : undefined;
}
