// SPDX-License-Identifier: GPL-2.0-or-later
// drbdsetup as the simulator answers it: the "kernel" is this node's resource daemons.
import { queryDaemon, snapshotOf, subscribe } from './client.js';
import type { SimEnv } from './config.js';
import type { Request } from './protocol.js';
import {
  drbdsetupVersion,
  dstateText,
  errorText,
  events2Changes,
  events2Now,
  exitCodeFor,
  roleText,
  SS,
  statusJson,
  statusText,
  timestamp,
} from './format.js';
import { socketResources } from './store.js';
import type { ResourceSnap, StateError } from './types.js';

export type Output = { rc: number; stdout: string; stderr: string };
export type Io = { write: (text: string) => void; isTTY: boolean; columns: number | undefined };

const ok = (stdout = ''): Output => ({ rc: 0, stdout, stderr: '' });

/** Resources that are up on this node (a live daemon socket). */
export async function upResources(sim: SimEnv): Promise<ResourceSnap[]> {
  const names = socketResources(sim.stateDir, sim.hostname);
  const snaps = await Promise.all(names.map((n) => snapshotOf(sim.stateDir, sim.hostname, n)));
  return snaps.filter((s): s is ResourceSnap => s !== undefined).sort((a, b) => (a.name < b.name ? -1 : 1));
}

/** A request to a resource's daemon; `Unknown resource` (rc 10) when it is not up. */
export async function request(sim: SimEnv, res: string, req: Request, object = res): Promise<Output> {
  let reply;
  try {
    reply = await queryDaemon(sim.stateDir, sim.hostname, res, req);
  } catch {
    return failed(object, SS.UNKNOWN_RESOURCE);
  }
  if ('error' in reply) return failed(object, reply.error);
  return ok();
}

export function failed(object: string, error: StateError): Output {
  return { rc: exitCodeFor(error), stdout: '', stderr: errorText(object, error) };
}

type Parsed = { positional: string[]; flags: Map<string, string | true> };

export function parseArgs(argv: string[]): Parsed {
  const positional: string[] = [];
  const flags = new Map<string, string | true>();
  for (const arg of argv) {
    const long = /^--([^=]+)(?:=(.*))?$/.exec(arg);
    if (long) flags.set(long[1] as string, long[2] ?? true);
    else if (/^-[A-Za-z]+$/.test(arg)) for (const c of arg.slice(1)) flags.set(c, true);
    else positional.push(arg);
  }
  return { positional, flags };
}

/** wait-connect-*: until every (or one) connection is Connected; rc 5 at the --wfc-timeout. */
async function waitConnect(sim: SimEnv, res: string, peer: number | undefined, timeoutSec: number): Promise<Output> {
  const snap = await snapshotOf(sim.stateDir, sim.hostname, res);
  if (!snap) return failed(res, SS.UNKNOWN_RESOURCE);
  const done = (s: ResourceSnap): boolean => {
    const conns = s.connections.filter((c) => peer === undefined || c.peerNodeId === peer);
    return conns.length > 0 && conns.every((c) => c.connection === 'Connected' && c.peerDevices.every((p) => p.replication !== 'Off'));
  };
  return new Promise((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    let sub: { close: () => void } | undefined;
    const finish = (out: Output): void => {
      if (timer) clearTimeout(timer);
      sub?.close();
      resolve(out);
    };
    if (timeoutSec > 0) timer = setTimeout(() => finish({ rc: 5, stdout: '', stderr: '' }), timeoutSec * 1000);
    subscribe(
      sim.stateDir,
      sim.hostname,
      res,
      (s) => {
        if (done(s)) finish(ok());
      },
      () => finish(failed(res, SS.UNKNOWN_RESOURCE)),
    )
      .then((s) => {
        sub = s;
      })
      .catch(() => finish(failed(res, SS.UNKNOWN_RESOURCE)));
  });
}

/** Streaming `drbdsetup events2`: the current state, `exists -`, then changes until killed. */
async function events2Stream(sim: SimEnv, target: string, opts: { statistics: boolean; timestamps: boolean }, io: Io): Promise<never> {
  const prefix = (): string => (opts.timestamps ? timestamp(new Date()) : '');
  const emit = (lines: string[]): void => {
    if (lines.length > 0) io.write(lines.map((l) => `${prefix()}${l}\n`).join(''));
  };
  const current = new Map<string, ResourceSnap>();
  const following = new Set<string>();
  const initial = (await upResources(sim)).filter((s) => target === 'all' || s.name === target);
  for (const snap of initial) current.set(snap.name, snap);
  io.write(
    events2Now(initial, { statistics: opts.statistics })
      .split('\n')
      .filter(Boolean)
      .map((l) => `${prefix()}${l}\n`)
      .join(''),
  );
  const follow = async (name: string): Promise<void> => {
    if (following.has(name)) return;
    following.add(name);
    try {
      await subscribe(
        sim.stateDir,
        sim.hostname,
        name,
        (snap) => {
          emit(events2Changes(current.get(name), snap, { statistics: opts.statistics }));
          current.set(name, snap);
        },
        () => {
          emit(events2Changes(current.get(name), undefined, { statistics: opts.statistics }));
          current.delete(name);
          following.delete(name);
        },
      );
    } catch {
      following.delete(name);
    }
  };
  for (const snap of initial) await follow(snap.name);
  // resources that come up later (or again)
  setInterval(() => {
    for (const name of socketResources(sim.stateDir, sim.hostname)) {
      if ((target === 'all' || name === target) && !following.has(name)) void follow(name);
    }
  }, 250);
  return new Promise<never>(() => undefined);
}

async function snapByMinor(sim: SimEnv, minor: number): Promise<ResourceSnap | undefined> {
  return (await upResources(sim)).find((s) => s.devices.some((d) => d.minor === minor));
}

const USAGE = 'drbdsetup - Configure the DRBD kernel module.\n\nUSAGE: drbdsetup command {arguments} [options]\n';

/** drbdsetup COMMAND ...: the subset drbd-utils' drbdadm and the agents use (drbd.md §13). */
export async function drbdsetup(sim: SimEnv, argv: string[], io: Io, held: () => boolean | Promise<boolean>): Promise<Output> {
  const { positional, flags } = parseArgs(argv);
  if (flags.has('version') || flags.has('V')) return ok(drbdsetupVersion(sim.kernelVersion));
  const [cmd, obj, extra] = positional;
  if (!cmd) return { rc: 20, stdout: '', stderr: USAGE };
  const timeout = (): number => Number(flags.get('wfc-timeout') ?? 0) || 0;
  switch (cmd) {
    case 'events2': {
      const target = obj ?? 'all';
      const statistics = flags.has('statistics') || flags.has('s');
      if (flags.has('now') || flags.has('n')) {
        const snaps = (await upResources(sim)).filter((s) => target === 'all' || s.name === target);
        return ok(events2Now(snaps, { statistics }));
      }
      return events2Stream(sim, target, { statistics, timestamps: flags.has('timestamps') || flags.has('T') }, io);
    }
    case 'status': {
      const target = obj ?? 'all';
      const snaps = (await upResources(sim)).filter((s) => target === 'all' || s.name === target);
      if (target !== 'all' && snaps.length === 0) return { rc: 10, stdout: '', stderr: `${target}: No such resource\n` };
      if (flags.has('json')) return ok(statusJson(snaps));
      return ok(
        statusText(snaps, {
          verbose: flags.has('verbose') || flags.has('v'),
          statistics: flags.has('statistics') || flags.has('s'),
          tty: io.isTTY,
          columns: io.isTTY && io.columns ? io.columns : 80,
        }),
      );
    }
    case 'role': {
      const snap = obj ? await snapshotOf(sim.stateDir, sim.hostname, obj) : undefined;
      if (!snap) return { rc: 10, stdout: '', stderr: `${obj ?? ''}: Unknown resource\n` };
      return ok(roleText(snap));
    }
    case 'cstate': {
      const snap = obj ? await snapshotOf(sim.stateDir, sim.hostname, obj) : undefined;
      const conn = snap?.connections.find((c) => c.peerNodeId === Number(extra));
      if (!conn) return { rc: 10, stdout: '', stderr: `${obj ?? ''}: No such connection\n` };
      return ok(`${conn.connection}\n`);
    }
    case 'dstate': {
      const snap = await snapByMinor(sim, Number(obj));
      const dev = snap?.devices.find((d) => d.minor === Number(obj));
      if (!snap || !dev) return { rc: 10, stdout: '', stderr: `${obj ?? ''}: No such device\n` };
      return ok(dstateText(snap, dev));
    }
    case 'primary':
      return request(sim, obj ?? '', { op: 'primary', force: flags.has('force'), held: false });
    case 'secondary':
      return request(sim, obj ?? '', { op: 'secondary', held: await held() });
    case 'down': {
      const names = obj === 'all' || !obj ? (await upResources(sim)).map((s) => s.name) : [obj];
      const isHeld = await held();
      for (const name of names) {
        const out = await request(sim, name, { op: 'down', held: isHeld });
        // down is missing_ok: a resource that is not up is fine (drbd.md §10)
        if (out.rc !== 0 && out.rc !== 10) return out;
      }
      return ok();
    }
    case 'disconnect':
      return request(sim, obj ?? '', { op: 'disconnect', peer: extra === undefined ? undefined : Number(extra) });
    case 'connect':
      return request(sim, obj ?? '', {
        op: 'connect',
        peer: extra === undefined ? undefined : Number(extra),
        discardMyData: flags.has('discard-my-data'),
      });
    case 'outdate': {
      const snap = await snapByMinor(sim, Number(obj));
      if (!snap) return failed(obj ?? '', SS.MINOR_NOT_ALLOCATED);
      return request(sim, snap.name, { op: 'outdate' }, obj);
    }
    case 'wait-connect-resource':
      return waitConnect(sim, obj ?? '', undefined, timeout());
    case 'wait-connect-connection':
      return waitConnect(sim, obj ?? '', Number(extra), timeout());
    case 'check-resize':
    case 'resize':
      return ok();
    default:
      return { rc: 20, stdout: '', stderr: `drbdsetup: '${cmd}' is not simulated by tsha drbdsim\n` };
  }
}
