// SPDX-License-Identifier: GPL-2.0-or-later
// Thin wrappers over iproute2: argv arrays only, JSON output parsed by ip-json.ts.
import type { Exec } from '../../lib/exec.js';
import { OcfError } from '../../lib/ocf/errors.js';
import type { Family } from './address.js';
import { IpJsonError, parseAddrShow, parseRouteList, type Link, type Route } from './ip-json.js';

function parsed<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof IpJsonError) throw OcfError.generic(`unexpected iproute2 output (${error.message})`);
    throw error;
  }
}

/** Every interface with its flags and addresses (one command: cheaper than one per question). */
export async function readLinks(exec: Exec): Promise<Link[]> {
  const result = await exec.check('ip', ['-j', 'addr', 'show']);
  return parsed(() => parseAddrShow(result.stdout));
}

/** findif.sh's query: the routes that hold ip (scope link for IPv4; 127/8 from the local table as a fallback). */
export async function routesMatching(exec: Exec, family: Family, ip: string, prefix: number | undefined): Promise<Route[]> {
  const match = prefix === undefined ? ip : `${ip}/${prefix}`;
  const base = ['-j', '-f', family === 4 ? 'inet' : 'inet6', 'route', 'list', 'match', match];
  const result = await exec.check('ip', family === 4 ? [...base, 'scope', 'link'] : base);
  const routes = parsed(() => parseRouteList(result.stdout));
  if (routes.length > 0 || family === 6 || !ip.startsWith('127.')) return routes;
  const local = await exec.check('ip', ['-j', '-f', 'inet', 'route', 'list', 'match', match, 'table', 'local', 'scope', 'host']);
  return parsed(() => parseRouteList(local.stdout));
}

export type AddSpec = {
  readonly family: Family;
  readonly ip: string;
  readonly prefix: number;
  readonly nic: string;
  readonly broadcast: string | undefined;
  readonly label: string | undefined;
  readonly nodad: boolean;
  readonly noprefixroute: boolean;
  readonly preferredLft: string;
};

/** The argv of `ip addr add`, in heartbeat's order. */
export function addArgs(spec: AddSpec): string[] {
  const args = ['-f', spec.family === 4 ? 'inet' : 'inet6', 'addr', 'add', `${spec.ip}/${spec.prefix}`];
  if (spec.family === 4 && spec.broadcast !== undefined) args.push('brd', spec.broadcast);
  args.push('dev', spec.nic);
  if (spec.family === 6 && spec.nodad) args.push('nodad');
  if (spec.noprefixroute) args.push('noprefixroute');
  if (spec.family === 4 && spec.label !== undefined) args.push('label', spec.label);
  if (spec.family === 6) args.push('preferred_lft', spec.preferredLft);
  return args;
}

export async function addAddress(exec: Exec, spec: AddSpec): Promise<void> {
  await exec.check('ip', addArgs(spec));
}

export async function deleteAddress(exec: Exec, family: Family, ip: string, prefix: number, nic: string): Promise<void> {
  await exec.check('ip', ['-f', family === 4 ? 'inet' : 'inet6', 'addr', 'del', `${ip}/${prefix}`, 'dev', nic]);
}

export async function setLinkUp(exec: Exec, nic: string): Promise<void> {
  await exec.check('ip', ['link', 'set', nic, 'up']);
}

export async function flushRouteCache(exec: Exec, family: Family): Promise<void> {
  await exec.check('ip', [family === 4 ? '-4' : '-6', 'route', 'flush', 'cache']);
}
