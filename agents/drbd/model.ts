// SPDX-License-Identifier: GPL-2.0-or-later
// One DRBD resource's state as the kernel reports it, whichever tool printed it (events2, status, 8.4 sh-status),
// and the facts the agent derives from it (reference drbd.md §5, §11).

export type ResourceState = {
  readonly name: string;
  /** Primary, Secondary or Unknown. */
  readonly role: string;
  readonly suspended: string;
  readonly mayPromote: boolean | undefined;
  readonly promotionScore: number | undefined;
};

export type ConnectionState = {
  readonly peerNodeId: string;
  readonly name: string;
  /** StandAlone ... Connecting, Connected (DRBD 9 names; 8.4 states are mapped, see status.ts). */
  readonly connection: string;
  readonly peerRole: string;
};

export type DeviceState = {
  readonly volume: number;
  readonly minor: number | undefined;
  readonly disk: string;
  /** An intentional diskless client (`client:yes`). */
  readonly client: boolean;
  readonly quorum: boolean;
};

export type PeerDeviceState = {
  readonly peerNodeId: string;
  readonly volume: number;
  readonly replication: string;
  readonly peerDisk: string;
  readonly peerClient: boolean;
};

/** `up: false`: the resource does not exist in the kernel (down, or no module). */
export type DrbdState =
  | { readonly up: false }
  | {
      readonly up: true;
      readonly resource: ResourceState;
      readonly connections: readonly ConnectionState[];
      readonly devices: readonly DeviceState[];
      readonly peerDevices: readonly PeerDeviceState[];
    };

export const DOWN: DrbdState = { up: false };

// Disk states in which a disk is being attached or negotiated: neither usable nor failed yet.
const TRANSITIONAL_DISKS = new Set(['Attaching', 'Negotiating', 'Detaching']);
const FAILED_DISKS = new Set(['Failed', 'Diskless', 'Detaching']);

export type Facts = {
  readonly primary: boolean;
  readonly somePeerPrimary: boolean;
  /** Every local device is an intentional diskless client. */
  readonly disklessClient: boolean;
  readonly allLocalUpToDate: boolean;
  /** Every local disk is Consistent or UpToDate. */
  readonly allLocalConsistent: boolean;
  /** Some local disk is Attaching, Negotiating or Detaching. */
  readonly transitional: boolean;
  /** Some local (non-client) disk is Failed, Diskless or Detaching. */
  readonly localDiskFailed: boolean;
  readonly quorum: boolean;
  /** Some peer has every one of its volumes UpToDate. */
  readonly somePeerAllUpToDate: boolean;
  readonly anyPeerDiskUnknown: boolean;
  readonly allPeerDisksUpToDate: boolean;
  /** Every connection is Connected (true without connections). */
  readonly allConnected: boolean;
};

/** The derived flags of drbd.md §5; peers whose volumes are all intentional diskless clients are ignored. */
export function deriveFacts(state: Extract<DrbdState, { up: true }>): Facts {
  const devices = state.devices;
  const peers = new Map<string, PeerDeviceState[]>();
  for (const pd of state.peerDevices) peers.set(pd.peerNodeId, [...(peers.get(pd.peerNodeId) ?? []), pd]);
  const relevant = [...peers.values()].filter((list) => !list.every((pd) => pd.peerClient));
  const peerDisks = relevant.flat();
  const disklessClient = devices.length > 0 && devices.every((d) => d.client);
  const disks = devices.filter((d) => !d.client);
  return {
    primary: state.resource.role === 'Primary',
    somePeerPrimary: state.connections.some((c) => c.peerRole === 'Primary'),
    disklessClient,
    allLocalUpToDate: disks.length > 0 && disks.every((d) => d.disk === 'UpToDate'),
    allLocalConsistent: disks.length > 0 && disks.every((d) => d.disk === 'UpToDate' || d.disk === 'Consistent'),
    transitional: disks.some((d) => TRANSITIONAL_DISKS.has(d.disk)),
    localDiskFailed: disks.some((d) => FAILED_DISKS.has(d.disk)),
    quorum: devices.every((d) => d.quorum),
    somePeerAllUpToDate: relevant.some((list) => list.every((pd) => pd.peerDisk === 'UpToDate')),
    anyPeerDiskUnknown: peerDisks.some((pd) => pd.peerDisk === 'DUnknown'),
    allPeerDisksUpToDate: peerDisks.length > 0 && peerDisks.every((pd) => pd.peerDisk === 'UpToDate'),
    allConnected: state.connections.every((c) => c.connection === 'Connected'),
  };
}

/** Disks have left Attaching/Negotiating: start can judge them. */
export function disksSettled(state: DrbdState): boolean {
  return state.up && state.devices.length > 0 && !state.devices.some((d) => TRANSITIONAL_DISKS.has(d.disk));
}

/** Start's goal: disks settled and every peer connected. */
export function connectedAndSettled(state: DrbdState): boolean {
  return disksSettled(state) && state.up && state.connections.length > 0 && state.connections.every((c) => c.connection === 'Connected');
}
