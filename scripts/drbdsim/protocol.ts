// SPDX-License-Identifier: GPL-2.0-or-later
// The messages of the simulator, one JSON object a line (framing.ts): drbdadm/drbdsetup ↔ resource daemon on the
// control socket, daemon → events2 subscribers, and daemon ↔ daemon on the replication link.
import type { ResourceConfig, SimEnv } from './config.js';
import type { Meta } from './store.js';
import type { DiskState, ResourceSnap, Role, StateError } from './types.js';

/** What a resource daemon is started with (its command-line argument, as JSON). */
export type DaemonArgs = { config: ResourceConfig; sim: SimEnv; node: string; stage: Stage };

/** How far the resource is set up: new-resource, new-minor, attach, network (drbdadm up does all). */
export type Stage = { minors: boolean; attach: boolean; net: boolean };

/** Control socket: one request a connection, answered by one Reply (a subscription by Events instead). */
export type Request =
  | { op: 'snapshot' }
  | { op: 'subscribe' }
  | { op: 'configure'; stage: Stage }
  | { op: 'primary'; force: boolean; held: boolean }
  | { op: 'secondary'; held: boolean }
  | { op: 'down'; held: boolean }
  | { op: 'disconnect'; peer?: number | undefined }
  | { op: 'connect'; peer?: number | undefined; discardMyData: boolean }
  | { op: 'outdate' }
  | { op: 'fail-disk' }
  | { op: 'new-current-uuid'; clearBitmap: boolean }
  | { op: 'info' };

export type Reply = { rc: 0 } | { rc: number; error: StateError } | { rc: 0; snap: ResourceSnap } | { rc: 0; info: DaemonInfo };

export type DaemonInfo = { pid: number; node: string; devId: string; meta: Meta };

/** To a subscriber: the state at once and after every change, `down` when the resource goes down. */
export type Event = { t: 'snap'; snap: ResourceSnap } | { t: 'down' };

/** Between the daemons of a resource on two nodes. */
export type PeerMsg =
  | { t: 'hello'; res: string; from: number; to: number; role: Role; disk: DiskState; gen: string; history: string[]; discard: boolean }
  | { t: 'state'; role: Role; disk: DiskState }
  | { t: 'ping' }
  | { t: 'prepare'; tx: number }
  | { t: 'prepared'; tx: number; ok: boolean }
  | { t: 'sync'; done: number }
  | { t: 'sync-done'; gen: string; history: string[] }
  | { t: 'bye' };

export type Hello = Extract<PeerMsg, { t: 'hello' }>;
