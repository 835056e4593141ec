// SPDX-License-Identifier: GPL-2.0-or-later
// The simulated kernel state of one resource on one node, as drbdsetup would read it over netlink.

export type Role = 'Primary' | 'Secondary' | 'Unknown';

/** Disk states in DRBD's order (drbd.md §11); `DUnknown` is for peers only. */
export const DISK_STATES = [
  'Diskless',
  'Attaching',
  'Detaching',
  'Failed',
  'Negotiating',
  'Inconsistent',
  'Outdated',
  'DUnknown',
  'Consistent',
  'UpToDate',
] as const;
export type DiskState = (typeof DISK_STATES)[number];

export type ConnState =
  | 'StandAlone'
  | 'Disconnecting'
  | 'Unconnected'
  | 'Timeout'
  | 'BrokenPipe'
  | 'NetworkFailure'
  | 'ProtocolError'
  | 'TearDown'
  | 'Connecting'
  | 'Connected';

export type ReplState =
  | 'Off'
  | 'Established'
  | 'StartingSyncS'
  | 'StartingSyncT'
  | 'WFBitMapS'
  | 'WFBitMapT'
  | 'WFSyncUUID'
  | 'SyncSource'
  | 'SyncTarget'
  | 'VerifyS'
  | 'VerifyT'
  | 'PausedSyncS'
  | 'PausedSyncT'
  | 'Ahead'
  | 'Behind';

export type DeviceSnap = {
  volume: number;
  minor: number;
  /** `none` when diskless */
  backingDev: string;
  disk: DiskState;
  /** intentional diskless client */
  client: boolean;
  quorum: boolean;
  /** statistics (KiB, counts) */
  size: number;
  read: number;
  written: number;
  alWrites: number;
  bmWrites: number;
  upperPending: number;
  lowerPending: number;
};

export type PeerDeviceSnap = {
  volume: number;
  replication: ReplState;
  peerDisk: DiskState;
  peerClient: boolean;
  /** percentage while SyncSource/SyncTarget */
  done?: number | undefined;
  received: number;
  sent: number;
  /** KiB */
  outOfSync: number;
  pending: number;
  unacked: number;
};

export type PathSnap = {
  /** `ipv4:10.0.0.1:7789` */
  local: string;
  peer: string;
  established: boolean;
};

export type ConnectionSnap = {
  peerNodeId: number;
  name: string;
  connection: ConnState;
  role: Role;
  congested: boolean;
  apInFlight: number;
  rsInFlight: number;
  peerDevices: PeerDeviceSnap[];
  paths: PathSnap[];
};

export type ResourceSnap = {
  name: string;
  nodeId: number;
  role: Role;
  /** `no`, or `user`, `no-data`, `fencing`, `quorum` joined by commas */
  suspended: string;
  forceIoFailures: boolean;
  writeOrdering: string;
  devices: DeviceSnap[];
  connections: ConnectionSnap[];
};

/** A kernel state-change error (drbd.md §10): `SS_*` numbers are negative, `ERR_*` above 100. */
export type StateError = { code: number; text: string };
