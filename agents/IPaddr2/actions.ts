// SPDX-License-Identifier: GPL-2.0-or-later
import { sleepWithin } from '../../lib/deadline.js';
import { OcfExit, type OcfExitCode } from '../../lib/ocf/exit-codes.js';
import { OcfError } from '../../lib/ocf/errors.js';
import { stateDir, stateFileName } from '../../lib/state.js';
import { announcerArgs, findSendUa, sendArps, sendUaArgs, startBackground, stopBackground, type Announcement } from './announce.js';
import { arpMode } from './arp.js';
import { servedState, type Served } from './findif.js';
import { addAddress, deleteAddress, flushRouteCache, readLinks, setLinkUp } from './ip.js';
import { linkHealth } from './ip-json.js';
import { removeFromLoopback, restoreLoopback } from './loopback.js';
import type { Ctx } from './params.js';
import { locate, placementFor, type Placement } from './target.js';

// How long start waits for a carrier after bringing an administratively down link up (autonegotiation takes a
// few seconds on real NICs), and how often it looks (also for DAD).
const CARRIER_WAIT_MS = 5000;
const POLL_MS = 100;

const pidFile = (ctx: Ctx): string => stateFileName('IPaddr2', `${ctx.instance}.announce`);
const loFile = (ctx: Ctx): string => stateFileName('IPaddr2', `${ctx.instance}.lo`);
const isLoopback = (nic: string): boolean => nic === 'lo' || nic.startsWith('lo:');

function requireRoot(ctx: Ctx): void {
  if (process.getuid?.() !== 0) throw OcfError.perm(`${ctx.action} needs root`);
}

/** Checks for validate-all and before start; reads the host but changes nothing, and logs nothing on success. */
export async function validate(ctx: Ctx): Promise<void> {
  if (ctx.meta.isClone && ctx.meta.cloneMax > 1) {
    throw OcfError.configured(
      `clone-max=${ctx.meta.cloneMax}: one address on several nodes needs CLUSTERIP, which current kernels ` +
        'removed; run IPaddr2 as a primitive (one instance)',
    );
  }
  // start places the address itself, with the same checks: the host is read once
  if (ctx.action !== 'start') await placementFor(ctx, await readLinks(ctx.exec));
}

/** The announcement of the address on nic: arp_count packets on start, arp_count_refresh on a monitor. */
function announcementOf(ctx: Ctx, nic: string, prefix: number, count: number): Announcement {
  return { nic, ip: ctx.params.ip.address, prefix, mode: arpMode(ctx.params.arp_sender), count, intervalMs: ctx.params.arp_interval };
}

async function announce(ctx: Ctx, a: Announcement): Promise<void> {
  const background = ctx.config.announceInBackground;
  if (isLoopback(a.nic) || a.count === 0) return; // nobody to tell
  if (ctx.params.ip.family === 4) {
    if (background) await startBackground(process.execPath, announcerArgs(a), stateDir(ctx.env), pidFile(ctx), ctx.log);
    else await sendArps(ctx.exec, ctx.deadline, ctx.log, a);
    return;
  }
  const sendUa = await findSendUa(ctx.env);
  if (!sendUa) {
    ctx.log.warn('send_ua (resource-agents) not found: no unsolicited neighbour advertisement sent', { ip: a.ip });
    return;
  }
  if (background) {
    await startBackground(sendUa, sendUaArgs(a), stateDir(ctx.env), pidFile(ctx), ctx.log);
    return;
  }
  const result = await ctx.exec.run(sendUa, sendUaArgs(a));
  if (!result.ok) throw OcfError.generic(`could not send unsolicited neighbour advertisements for ${a.ip} (send_ua rc ${result.exitCode})`);
}

/**
 * Polls until the address is usable: carrier present (waited for carrierWaitMs), DAD done. A duplicate removes
 * the address and fails.
 */
async function waitUsable(ctx: Ctx, p: Placement, carrierWaitMs: number): Promise<void> {
  const { family, address: ip } = ctx.params.ip;
  const carrierBy = Date.now() + carrierWaitMs;
  for (;;) {
    const served: Served = servedState(await readLinks(ctx.exec), family, ip, p.nic, p.prefix);
    switch (served.state) {
      case 'ok':
        return;
      case 'absent':
        throw OcfError.generic(`${ip}/${p.prefix} vanished from ${p.nic} right after it was added`);
      case 'dadfailed':
        await deleteAddress(ctx.exec, family, ip, p.prefix, p.nic);
        throw OcfError.generic(`${ip} is already in use on the link of ${p.nic} (duplicate address detection failed)`);
      case 'link-down':
        if (Date.now() >= carrierBy) throw OcfError.generic(`${ip} added, but ${served.why}`);
        break;
      case 'tentative':
        break;
    }
    if (!(await sleepWithin(ctx.deadline, POLL_MS))) {
      if (served.state === 'tentative') await deleteAddress(ctx.exec, family, ip, p.prefix, p.nic);
      throw OcfError.generic(`${ip} on ${p.nic} still ${served.state === 'tentative' ? 'in duplicate address detection' : 'down'} at the timeout`);
    }
  }
}

export async function start(ctx: Ctx): Promise<OcfExitCode> {
  const { family, address: ip } = ctx.params.ip;
  const links = await readLinks(ctx.exec);
  const p = await placementFor(ctx, links);
  requireRoot(ctx);
  if (ctx.config.dottedNetmask) ctx.log.warn('cidr_netmask is a dotted-quad netmask; please write the prefix length', { prefix: ctx.config.prefix });
  const served = servedState(links, family, ip, p.nic, p.prefix);
  if (served.state === 'ok' || served.state === 'tentative') return OcfExit.SUCCESS; // running: no ARPs
  // A link that is up without a carrier (its cable or switch port is down) gets none by waiting here: failing at
  // once lets Pacemaker place the address where clients can reach it. A link set down is brought up, and its
  // carrier waited for.
  const link = links.find((l) => l.name === p.nic);
  const adminDown = link !== undefined && !link.flags.includes('UP');
  const health = link && !adminDown ? linkHealth(link) : undefined;
  if (health && !health.up) throw OcfError.generic(`${ip} cannot be served on ${p.nic}: ${health.why}`);
  const carrierWaitMs = adminDown ? CARRIER_WAIT_MS : 0;
  const announcement = announcementOf(ctx, p.nic, p.prefix, ctx.params.arp_count);
  if (served.state === 'link-down') {
    // the address stayed while the link was down; neighbours may have moved on since
    await setLinkUp(ctx.exec, p.nic);
    await waitUsable(ctx, p, carrierWaitMs);
    await announce(ctx, announcement);
    return OcfExit.SUCCESS;
  }
  if (served.state === 'dadfailed') await deleteAddress(ctx.exec, family, ip, p.prefix, p.nic);
  if (ctx.params.lvs_support) await removeFromLoopback(ctx, links, ip, loFile(ctx));
  const { nodad, noprefixroute, preferred_lft: preferredLft } = ctx.params;
  await addAddress(ctx.exec, { family, ip, ...p, nodad, noprefixroute, preferredLft });
  ctx.log.info('address added', { ip, prefix: p.prefix, nic: p.nic, broadcast: p.broadcast, label: p.label });
  await setLinkUp(ctx.exec, p.nic);
  await waitUsable(ctx, p, carrierWaitMs);
  await announce(ctx, announcement);
  return OcfExit.SUCCESS;
}

export async function stop(ctx: Ctx): Promise<OcfExitCode> {
  requireRoot(ctx);
  const { family, address: ip } = ctx.params.ip;
  await stopBackground(stateDir(ctx.env), pidFile(ctx), ip, ctx.log, ctx.deadline);
  const links = await readLinks(ctx.exec);
  const where = await locate(ctx, links);
  const served = where ? servedState(links, family, ip, where.nic, where.prefix) : undefined;
  if (where && served && served.state !== 'absent') {
    const result = await ctx.exec.run('ip', ['-f', family === 4 ? 'inet' : 'inet6', 'addr', 'del', `${ip}/${served.address.prefix}`, 'dev', where.nic]);
    if (!result.ok) {
      const why = result.timedOut ? `\`${result.command}\` timed out` : result.stderr.trim() || `rc ${result.exitCode}`;
      throw OcfError.generic(`unable to remove ${ip} from ${where.nic}: ${why}`);
    }
    ctx.log.info('address removed', { ip, nic: where.nic });
    if (ctx.params.flush_routes) await flushRouteCache(ctx.exec, family);
  }
  if (ctx.params.lvs_support) await restoreLoopback(ctx, ip, loFile(ctx));
  return OcfExit.SUCCESS;
}

export async function monitor(ctx: Ctx): Promise<OcfExitCode> {
  // what it finds wrong with the environment, the pipeline turns into 7 (probe) or 1 (recurring)
  const { family, address: ip } = ctx.params.ip;
  const links = await readLinks(ctx.exec);
  const where = await locate(ctx, links);
  if (!where) return OcfExit.NOT_RUNNING;
  const served = servedState(links, family, ip, where.nic, where.prefix);
  switch (served.state) {
    case 'absent':
      return OcfExit.NOT_RUNNING;
    case 'link-down':
      throw OcfError.generic(`${ip} is on ${where.nic}, but ${served.why}`);
    case 'dadfailed':
      throw OcfError.generic(`${ip} on ${where.nic} failed duplicate address detection: another host uses it`);
    case 'ok':
    case 'tentative':
      if (family === 4 && ctx.params.arp_count_refresh > 0) await announce(ctx, announcementOf(ctx, where.nic, served.address.prefix, ctx.params.arp_count_refresh));
      return OcfExit.SUCCESS;
  }
}
