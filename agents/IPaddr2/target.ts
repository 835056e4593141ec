// SPDX-License-Identifier: GPL-2.0-or-later
// Where the address goes (start) or is looked for (monitor, stop): configuration plus what the host shows.
import { OcfError } from '../../lib/ocf/errors.js';
import { defaultBroadcast, findInterface, holders } from './findif.js';
import type { Link } from './ip-json.js';
import { routesMatching } from './ip.js';
import { fullLabel, type Ctx } from './params.js';

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
async function findif(ctx: Ctx, links: readonly Link[]): Promise<Location | undefined> {
  const { family, address } = ctx.params.ip;
  const { prefix } = ctx.config;
  const nic = ctx.params.nic?.name;
  if (nic !== undefined) {
    requireNic(links, nic);
    if (prefix !== undefined) return { nic, prefix };
    const found = findInterface(await routesMatching(ctx.exec, family, address, undefined), family, nic);
    return { nic, prefix: found?.prefix };
  }
  const found = findInterface(await routesMatching(ctx.exec, family, address, prefix), family);
  return found && { nic: found.nic, prefix: prefix ?? found.prefix };
}

/** For start and validate-all: every value ip addr add needs, or OCF_ERR_CONFIGURED with the reason. */
export async function placementFor(ctx: Ctx, links: readonly Link[]): Promise<Placement> {
  const { family, address } = ctx.params.ip;
  const where = await findif(ctx, links);
  if (!where) throw OcfError.configured(`no interface has a connected subnet holding ${address}; set nic and cidr_netmask`);
  const { nic, prefix } = where;
  if (prefix === undefined) throw OcfError.configured(`no subnet connected to ${nic} holds ${address}; set cidr_netmask`);
  const label = ctx.config.label === undefined ? undefined : fullLabel(nic, ctx.config.label);
  const broadcast = family === 4 ? (ctx.config.broadcast ?? defaultBroadcast(links, nic, address, prefix)) : undefined;
  return { nic, prefix, broadcast, label };
}

/**
 * For monitor and stop, which only look: findif's answer. When the subnet route has gone (a link set down drops
 * it), fall back to any prefix on the configured nic, or to the interface that holds the address; undefined when
 * the address is nowhere.
 */
export async function locate(ctx: Ctx, links: readonly Link[]): Promise<Location | undefined> {
  const found = await findif(ctx, links);
  if (found) return found;
  const { prefix } = ctx.config;
  const held = holders(links, ctx.params.ip.family, ctx.params.ip.address).find((h) => h.link.name !== 'lo' && (prefix === undefined || h.address.prefix === prefix));
  return held ? { nic: held.link.name, prefix: held.address.prefix } : undefined;
}
