// SPDX-License-Identifier: GPL-2.0-or-later
// What an agent asks the event watch (lib/watch) to look at for one running resource, and the pure reading of
// the event streams the watch follows: `ip -o monitor link address` and `findmnt --poll` lines. Nothing here
// touches the host.
import { param } from '../ocf/params.js';

/** One resource's interest: enough for the daemon to tell which kernel events concern it. */
export type Interest =
  | { readonly kind: 'ip'; readonly address: string; /** undefined: any interface (nic left to findif) */ readonly nic: string | undefined }
  | { readonly kind: 'mount'; readonly directory: string; readonly device: string }
  | { readonly kind: 'drbd'; readonly resource: string };

export type InterestKind = Interest['kind'];

/** The `event_watch` parameter, declared by each watched agent with the words of what it watches. */
export function eventWatchParam(what: string) {
  return param.boolean({
    shortdesc: 'Report failures as the kernel announces them',
    longdesc:
      `Whether a failure is reported to Pacemaker as soon as the kernel announces it (${what}), instead of at ` +
      'the next monitor. One process per node (the tsha event watch) follows the events of every watched ' +
      'resource, confirms each suspected failure with this agent\'s own monitor and reports it with ' +
      '`crm_resource --fail`, never while the resource is unmanaged, in maintenance, or the node is in standby ' +
      'or shutting down. false: only the monitor detects failures.',
    default: true,
  });
}

/** One line of `ip -o monitor link address`. */
export type IpEvent =
  | { readonly type: 'link'; readonly deleted: boolean; readonly nic: string; readonly up: boolean; readonly carrier: boolean }
  | { readonly type: 'addr'; readonly deleted: boolean; readonly nic: string; readonly address: string; readonly prefix: number };

const LINK_LINE = /^(Deleted )?\d+: ([^:@\s]+)(?:@\S+)?: <([^>]*)>/;
const ADDR_LINE = /^(Deleted )?\d+: (\S+)\s+inet6? ([0-9A-Fa-f.:]+)\/(\d+)/;

/** Reads one line of `ip -o monitor link address`; undefined for anything else (neighbour, route, blank). */
export function parseIpMonitorLine(line: string): IpEvent | undefined {
  const link = LINK_LINE.exec(line);
  if (link) {
    const flags = (link[3] ?? '').split(',');
    return {
      type: 'link',
      deleted: link[1] !== undefined,
      nic: link[2] ?? '',
      up: flags.includes('UP'),
      carrier: flags.includes('LOWER_UP') && !flags.includes('NO-CARRIER'),
    };
  }
  const addr = ADDR_LINE.exec(line);
  if (addr) {
    return { type: 'addr', deleted: addr[1] !== undefined, nic: addr[2] ?? '', address: (addr[3] ?? '').toLowerCase(), prefix: Number(addr[4]) };
  }
  return undefined;
}

/** One line of `findmnt --poll -n -r -o ACTION,TARGET,SOURCE,OLD-TARGET`. */
export type MountEvent = { readonly action: string; readonly target: string; readonly source: string; readonly oldTarget: string | undefined };

/** findmnt's raw output escapes blanks and the like as \xHH. */
const unescape = (text: string): string => text.replace(/\\x([0-9a-fA-F]{2})/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));

export function parseFindmntPollLine(line: string): MountEvent | undefined {
  const [action, target, source, oldTarget] = line.trim().split(/\s+/);
  if (!action || !target || !['mount', 'umount', 'remount', 'move'].includes(action)) return undefined;
  return { action, target: unescape(target), source: unescape(source ?? ''), oldTarget: oldTarget ? unescape(oldTarget) : undefined };
}

/**
 * Whether an event may be a failure of this interest: a cheap filter, never the verdict (the agent's monitor
 * decides). An address added, a link coming up, a mount appearing are never failures.
 */
export function ipEventConcerns(interest: Extract<Interest, { kind: 'ip' }>, event: IpEvent): boolean {
  if (interest.nic !== undefined && event.nic !== interest.nic) return false;
  if (event.type === 'addr') return event.deleted && event.address === interest.address.toLowerCase();
  return event.deleted || !event.up || !event.carrier;
}

export function mountEventConcerns(interest: Extract<Interest, { kind: 'mount' }>, event: MountEvent): boolean {
  if (event.action === 'umount') return event.target === interest.directory;
  if (event.action === 'move') return event.oldTarget === interest.directory || event.target === interest.directory;
  return event.action === 'remount' && event.target === interest.directory;
}

/** A `drbdsetup events2` line names its resource as `name:RES`; `exists -` and the like name none. */
export function drbdEventResource(line: string): string | undefined {
  return /(?:^|\s)name:(\S+)/.exec(line)?.[1];
}
