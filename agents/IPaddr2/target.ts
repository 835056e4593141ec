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

/** For start and validate-all: every value ip addr add needs, or OCF_ERR_CONFIGURED with the reason. */
export async function placementFor(exec: Exec, s: Settings, links: readonly Link[]): Promise<Placement> {
  let nic: string;
  let prefix: number;
  if (s.nic !== undefined) {
    requireNic(links, s.nic);
    nic = s.nic;
    if (s.prefix !== undefined) prefix = s.prefix;
    else {
      const found = findInterface(await routesMatching(exec, s.family, s.ip, undefined), s.family, s.nic);
      if (!found) throw OcfError.configured(`no subnet connected to ${s.nic} holds ${s.ip}; set cidr_netmask`);
      prefix = found.prefix;
    }
  } else {
    const found = findInterface(await routesMatching(exec, s.family, s.ip, s.prefix), s.family);
    if (!found) throw OcfError.configured(`no interface has a connected subnet holding ${s.ip}; set nic and cidr_netmask`);
    nic = found.nic;
    prefix = s.prefix ?? found.prefix;
  }
  const label = s.label === undefined ? undefined : fullLabel(nic, s.label);
  const broadcast = s.family === 4 ? (s.broadcast ?? defaultBroadcast(links, nic, s.ip, prefix)) : undefined;
  return { nic, prefix, broadcast, label };
}

export type Location = { readonly nic: string; readonly prefix: number | undefined };

/**
 * For monitor and stop, which only look: the configured nic (which must exist) or findif's, and the prefix to
 * match. When the subnet route has gone (a link set down drops it), fall back to any prefix on that nic, or to
 * the interface that holds the address; undefined when the address is nowhere.
 */
export async function locate(exec: Exec, s: Settings, links: readonly Link[]): Promise<Location | undefined> {
  if (s.nic !== undefined) {
    requireNic(links, s.nic);
    if (s.prefix !== undefined) return { nic: s.nic, prefix: s.prefix };
    const found = findInterface(await routesMatching(exec, s.family, s.ip, undefined), s.family, s.nic);
    return { nic: s.nic, prefix: found?.prefix };
  }
  const found = findInterface(await routesMatching(exec, s.family, s.ip, s.prefix), s.family);
  if (found) return { nic: found.nic, prefix: s.prefix ?? found.prefix };
  const held = holders(links, s.family, s.ip).find((h) => h.link.name !== 'lo' && (s.prefix === undefined || h.address.prefix === s.prefix));
  return held ? { nic: held.link.name, prefix: held.address.prefix } : undefined;
}
