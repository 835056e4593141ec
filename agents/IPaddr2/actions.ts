// SPDX-License-Identifier: GPL-2.0-or-later
import type { ActionContext } from '../../lib/ocf/agent.js';
import { findProgram } from '../../lib/binaries.js';
import { sleepWithin } from '../../lib/deadline.js';
import { OcfExit, type OcfExitCode } from '../../lib/ocf/exit-codes.js';
import { OcfError, isOcfError } from '../../lib/ocf/errors.js';
import { isEnvironmentCode } from '../../lib/ocf/policy.js';
import { stateDir, stateFileName } from '../../lib/state.js';
import type { IPaddr2Params } from './agent.js';
import { announcerArgs, findSendUa, sendArps, sendUaArgs, startBackground, stopBackground, type Announcement } from './announce.js';
import type { Settings } from './config.js';
import { servedState, type Served } from './findif.js';
import type { Link } from './ip-json.js';
import { addAddress, deleteAddress, flushRouteCache, readLinks, setLinkUp } from './ip.js';
import { removeFromLoopback, restoreLoopback } from './loopback.js';
import { locate, placementFor, type Placement } from './target.js';

type Ctx = ActionContext<IPaddr2Params, Settings>;

// How long start waits for a carrier after bringing the link up, and how often it looks (also for DAD).
const CARRIER_WAIT_MS = 5000;
const POLL_MS = 100;

/**
 * The invalid-environment policy for what stop finds on the host (a nic that vanished, say): no address can be
 * there, so it is stopped.
 */
async function stopping(ctx: Ctx, body: () => Promise<OcfExitCode>): Promise<OcfExitCode> {
  try {
    return await body();
  } catch (error) {
    if (!isOcfError(error) || !isEnvironmentCode(error.code)) throw error;
    ctx.log.info('invalid environment, stop returns 0', { reason: error.reason });
    return OcfExit.SUCCESS;
  }
}

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
  if (ctx.action !== 'start') await placeChecked(ctx, await readLinks(ctx.exec));
}

/** Where the address goes, and whether the tools to announce it are there. */
async function placeChecked(ctx: Ctx, links: readonly Link[]): Promise<Placement> {
  const s = ctx.config;
  const p = await placementFor(ctx.exec, s, links);
  // The ARP sender is needed where the address will be started; pcs's level-0 validation does not look for it.
  const announces = s.family === 4 && !isLoopback(p.nic);
  if (announces && (ctx.action === 'start' || ctx.checkLevel >= 10) && !(await findProgram('arping', ctx.env))) {
    throw OcfError.installed('`arping` (iputils-arping) is not installed: no gratuitous ARP could be sent');
  }
  return p;
}

async function announce(ctx: Ctx, s: Settings, a: Announcement, background: boolean): Promise<void> {
  if (isLoopback(a.nic) || a.count === 0) return; // nobody to tell
  if (s.family === 4) {
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

/** Polls until the address is usable: carrier present, DAD done. A duplicate removes the address and fails. */
async function waitUsable(ctx: Ctx, s: Settings, p: Placement): Promise<void> {
  const carrierBy = Date.now() + CARRIER_WAIT_MS;
  for (;;) {
    const served: Served = servedState(await readLinks(ctx.exec), s.family, s.ip, p.nic, p.prefix);
    switch (served.state) {
      case 'ok':
        return;
      case 'absent':
        throw OcfError.generic(`${s.ip}/${p.prefix} vanished from ${p.nic} right after it was added`);
      case 'dadfailed':
        await deleteAddress(ctx.exec, s.family, s.ip, p.prefix, p.nic);
        throw OcfError.generic(`${s.ip} is already in use on the link of ${p.nic} (duplicate address detection failed)`);
      case 'link-down':
        if (Date.now() >= carrierBy) throw OcfError.generic(`${s.ip} added, but ${served.why}`);
        break;
      case 'tentative':
        break;
    }
    if (!(await sleepWithin(ctx.deadline, POLL_MS))) {
      if (served.state === 'tentative') await deleteAddress(ctx.exec, s.family, s.ip, p.prefix, p.nic);
      throw OcfError.generic(`${s.ip} on ${p.nic} still ${served.state === 'tentative' ? 'in duplicate address detection' : 'down'} at the timeout`);
    }
  }
}

export async function start(ctx: Ctx): Promise<OcfExitCode> {
  const links = await readLinks(ctx.exec);
  const p = await placeChecked(ctx, links);
  requireRoot(ctx);
  const s = ctx.config;
  if (s.dottedNetmask) ctx.log.warn('cidr_netmask is a dotted-quad netmask; please write the prefix length', { prefix: s.prefix });
  const served = servedState(links, s.family, s.ip, p.nic, p.prefix);
  if (served.state === 'ok' || served.state === 'tentative') return OcfExit.SUCCESS; // running: no ARPs
  const announcement: Announcement = { nic: p.nic, ip: s.ip, prefix: p.prefix, mode: s.arp.mode, count: s.arp.count, intervalMs: s.arp.intervalMs };
  if (served.state === 'link-down') {
    // the address stayed while the link was down; neighbours may have moved on since
    await setLinkUp(ctx.exec, p.nic);
    await waitUsable(ctx, s, p);
    await announce(ctx, s, announcement, s.arp.background);
    return OcfExit.SUCCESS;
  }
  if (served.state === 'dadfailed') await deleteAddress(ctx.exec, s.family, s.ip, p.prefix, p.nic);
  if (s.lvsSupport) await removeFromLoopback(ctx, links, s.ip, loFile(ctx));
  await addAddress(ctx.exec, { ...s, ...p });
  ctx.log.info('address added', { ip: s.ip, prefix: p.prefix, nic: p.nic, broadcast: p.broadcast, label: p.label });
  await setLinkUp(ctx.exec, p.nic);
  await waitUsable(ctx, s, p);
  await announce(ctx, s, announcement, s.arp.background);
  return OcfExit.SUCCESS;
}

export async function stop(ctx: Ctx): Promise<OcfExitCode> {
  requireRoot(ctx);
  return stopping(ctx, async () => {
    const s = ctx.config;
    await stopBackground(stateDir(ctx.env), pidFile(ctx), s.ip, ctx.log);
    const links = await readLinks(ctx.exec);
    const where = await locate(ctx.exec, s, links);
    const served = where ? servedState(links, s.family, s.ip, where.nic, where.prefix) : undefined;
    if (where && served && served.state !== 'absent') {
      const result = await ctx.exec.run('ip', ['-f', s.family === 4 ? 'inet' : 'inet6', 'addr', 'del', `${s.ip}/${served.address.prefix}`, 'dev', where.nic]);
      if (!result.ok) throw OcfError.generic(`unable to remove ${s.ip} from ${where.nic}: ${result.stderr.trim() || `rc ${result.exitCode}`}`);
      ctx.log.info('address removed', { ip: s.ip, nic: where.nic });
      if (s.flushRoutes) await flushRouteCache(ctx.exec, s.family);
    }
    if (s.lvsSupport) await restoreLoopback(ctx, s.ip, loFile(ctx));
    return OcfExit.SUCCESS;
  });
}

export async function monitor(ctx: Ctx): Promise<OcfExitCode> {
  // what it finds wrong with the environment, the pipeline turns into 7 (probe) or 1 (recurring)
  const s = ctx.config;
  const links = await readLinks(ctx.exec);
  const where = await locate(ctx.exec, s, links);
  if (!where) return OcfExit.NOT_RUNNING;
  const served = servedState(links, s.family, s.ip, where.nic, where.prefix);
  switch (served.state) {
    case 'absent':
      return OcfExit.NOT_RUNNING;
    case 'link-down':
      throw OcfError.generic(`${s.ip} is on ${where.nic}, but ${served.why}`);
    case 'dadfailed':
      throw OcfError.generic(`${s.ip} on ${where.nic} failed duplicate address detection: another host uses it`);
    case 'ok':
    case 'tentative':
      if (s.family === 4 && s.arp.countRefresh > 0) {
        const a: Announcement = { nic: where.nic, ip: s.ip, prefix: served.address.prefix, mode: s.arp.mode, count: s.arp.countRefresh, intervalMs: s.arp.intervalMs };
        await announce(ctx, s, a, s.arp.background);
      }
      return OcfExit.SUCCESS;
  }
}
