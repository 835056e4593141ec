// SPDX-License-Identifier: GPL-2.0-or-later
// The state of a resource as drbdsetup reads it from the kernel (types.ts), built from the daemon's local state and
// its connections: what `status`, `events2` and the agents see.
import { formatAddress } from './config.js';
import { usableSizeKiB } from './host.js';
import type { LocalState } from './local-state.js';
import type { Conn } from './peer-link.js';
import type { ConnectionSnap, DeviceSnap, ResourceSnap } from './types.js';

export function resourceSnapshot(local: LocalState, conns: readonly Conn[]): ResourceSnap {
  const { config, stage } = local;
  const devices: DeviceSnap[] = stage.minors
    ? config.volumes.map((v) => ({
        volume: v.volume,
        minor: v.minor,
        backingDev: stage.attach && v.disk !== 'none' ? v.disk : 'none',
        disk: local.visibleDisk,
        client: v.disk === 'none',
        quorum: true,
        size: stage.attach ? usableSizeKiB(v.disk) : 0,
        read: 0,
        written: 0,
        alWrites: 0,
        bmWrites: 0,
        upperPending: 0,
        lowerPending: 0,
      }))
    : [];
  const connections: ConnectionSnap[] = stage.net
    ? conns.map((c) => ({
        peerNodeId: c.peer.nodeId,
        name: c.peer.name,
        connection: c.state,
        role: c.peerRole,
        congested: false,
        apInFlight: 0,
        rsInFlight: 0,
        peerDevices: devices.map((d) => ({
          volume: d.volume,
          replication: c.repl,
          peerDisk: c.peerDisk,
          peerClient: false,
          done: c.done,
          received: 0,
          sent: 0,
          outOfSync: c.done === undefined ? 0 : Math.round((d.size * (100 - c.done)) / 100),
          pending: 0,
          unacked: 0,
        })),
        paths: [{ local: formatAddress(c.peer.local), peer: formatAddress(c.peer.remote), established: c.state === 'Connected' }],
      }))
    : [];
  return {
    name: config.name,
    nodeId: config.nodeId,
    role: local.role,
    suspended: 'no',
    forceIoFailures: false,
    writeOrdering: 'flush',
    devices,
    connections,
  };
}
