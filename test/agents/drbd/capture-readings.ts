// SPDX-License-Identifier: GPL-2.0-or-later
// What a person reads in each run of the real captures (test/fixtures/drbd/captures), written by hand from the
// capture text: per resource its role, per volume the disk, per peer the connection, its role and per volume the
// replication and peer disk; the derived facts that hold (every fact not named is false), the monitor code and
// the promotion score with the default adjust_master_score. The agent's parsers must read exactly this
// (test/agents/drbd/captures.test.ts) and the simulator must print it back (test/scripts/drbdsim/captures.test.ts).

export type PeerVolumeReading = {
  readonly volume: number;
  readonly replication: string;
  readonly peerDisk: string;
  readonly peerClient: boolean;
  /** `done:` while syncing (the agent does not keep it; the simulator prints it). */
  readonly done?: number;
};
export type PeerReading = {
  readonly name: string;
  /** peer-node-id (events2, verbose status); the connection's name where the output has none. */
  readonly id: string;
  readonly connection: string;
  readonly role: string;
  readonly volumes: readonly PeerVolumeReading[];
  /** Shown by non-verbose status only when congested. */
  readonly congested?: boolean;
};
export type DeviceReading = {
  readonly volume: number;
  readonly disk: string;
  readonly client: boolean;
  readonly quorum: boolean;
  readonly minor?: number;
};
export type StateReading = {
  readonly name: string;
  readonly role: string;
  readonly suspended: string;
  readonly mayPromote?: boolean;
  readonly promotionScore?: number;
  readonly devices: readonly DeviceReading[];
  readonly peers: readonly PeerReading[];
};

/** How the run was printed, for the simulator: events2 (optionally --statistics), or text status. */
export type Printed =
  | { readonly tool: 'events2'; readonly statistics: boolean }
  | { readonly tool: 'status'; readonly verbose: boolean; readonly statistics: boolean; readonly tty: boolean; readonly columns: number };

export type CaptureCase = {
  readonly file: string;
  /** A unique part of the run's title. */
  readonly run: string;
  readonly resource: string;
  /** events2: read the lines up to and including the first that contains this (a point in the stream). */
  readonly at?: string;
  /** status: the n-th output of this resource in the run (a run that shows two consecutive calls). */
  readonly part?: number;
  readonly printed: Printed;
  readonly state: StateReading | 'down';
  /** The facts of deriveFacts that are true, space separated. */
  readonly facts?: string;
  readonly monitor: 0 | 7 | 8 | 9;
  readonly score: number | 'delete' | 'keep';
};

type DeviceOpts = { client?: boolean; quorum?: boolean; minor?: number };
export const disk = (state: string, opts: DeviceOpts = {}): DeviceReading => vol(0, state, opts);
export const vol = (volume: number, state: string, opts: DeviceOpts = {}): DeviceReading => ({
  volume,
  disk: state,
  client: opts.client ?? false,
  quorum: opts.quorum ?? true,
  ...(opts.minor === undefined ? {} : { minor: opts.minor }),
});

type PeerVolumeOpts = { client?: boolean; done?: number };
export const pd = (replication: string, peerDisk: string, opts: PeerVolumeOpts = {}): PeerVolumeReading => pdv(0, replication, peerDisk, opts);
export const pdv = (volume: number, replication: string, peerDisk: string, opts: PeerVolumeOpts = {}): PeerVolumeReading => ({
  volume,
  replication,
  peerDisk,
  peerClient: opts.client ?? false,
  ...(opts.done === undefined ? {} : { done: opts.done }),
});

type PeerOpts = { id?: string; congested?: boolean };
export const peer = (name: string, connection: string, role: string, volumes: PeerVolumeReading[], opts: PeerOpts = {}): PeerReading => ({
  name,
  id: opts.id ?? name,
  connection,
  role,
  volumes,
  ...(opts.congested === undefined ? {} : { congested: opts.congested }),
});
/** A Connected peer (status shows no `connection:` then). */
export const connected = (name: string, role: string, volumes: PeerVolumeReading[], opts: PeerOpts = {}): PeerReading =>
  peer(name, 'Connected', role, volumes, opts);
/** A peer that is not connected: replication Off, peer disk unknown, role Unknown (status shows only `connection:`). */
export const unconnected = (name: string, connection: string, volumes = [0], opts: PeerOpts = {}): PeerReading =>
  peer(name, connection, 'Unknown', volumes.map((v) => pdv(v, 'Off', 'DUnknown')), opts);

type ResourceOpts = { suspended?: string; mayPromote?: boolean; promotionScore?: number };
export const res = (name: string, role: string, devices: DeviceReading[], peers: PeerReading[], opts: ResourceOpts = {}): StateReading => ({
  name,
  role,
  suspended: opts.suspended ?? 'no',
  ...(opts.mayPromote === undefined ? {} : { mayPromote: opts.mayPromote }),
  ...(opts.promotionScore === undefined ? {} : { promotionScore: opts.promotionScore }),
  devices,
  peers,
});

const events2 = (statistics = false): Printed => ({ tool: 'events2', statistics });
/** An operator's terminal: no `client:` in non-verbose status, lines as long as they come. */
const status = (verbose = false, statistics = false, tty = true, columns = 1000): Printed => ({ tool: 'status', verbose, statistics, tty, columns });

// Facts that recur.
const HEALTHY_SECONDARY = 'allLocalUpToDate allLocalConsistent quorum somePeerAllUpToDate allPeerDisksUpToDate allConnected';
const HEALTHY_PRIMARY = `primary ${HEALTHY_SECONDARY}`;

const F03 = '03-events2-timestamps-statistics-drbdtop-fragments.txt';
const F04 = '04-events2-create-change-destroy-linstor-2017.txt';
const F05 = '05-events2-live-change-helper-lines.txt';
const F06 = '06-events2-format-spec-sync-statistics.txt';
const F07 = '07-events2-format-spec-quorum-promote-diff-helper-destroy.txt';
const F10 = '10-status-synctarget-diskless-primary-peer-linstor218.txt';
const F11 = '11-drbdadm-status-split-brain-standalone-outdated-noquorum.txt';
const F12 = '12-drbdadm-status-synctarget-stuck-connecting-consistent.txt';
const F13 = '13-drbdsetup-status-verbose-unconnected-diskless-client.txt';
const F14 = '14-drbdadm-status-3node-quorum-lost-diskless-standalone.txt';
const F15 = '15-drbdadm-status-initial-sync-connecting-synctarget.txt';
const F16 = '16-drbdadm-status-drbd9214-many-resources-dual-primary.txt';
const F17 = '17-drbdadm-status-no-peer-connecting-open.txt';
const F18 = '18-drbdadm-status-drbd84-kernel-utils9-lab.txt';
const F19 = '19-drbdsetup-status-verbose-statistics-synctarget.txt';
const F20 = '20-drbdsetup-status-verbose-statistics-drbd84-kernel.txt';
const F24 = '24-drbdadm-status-issues-misc.txt';
const F25 = '25-drbdadm-status-multivolume-syncsource-salt.txt';

// The state 06- and 07- start from: `drbdadm up` before the disk attached and the peer connected.
const sr = 'some-resource';
const createdState = res(sr, 'Secondary', [disk('Diskless', { minor: 1000 })], [unconnected('some-peer', 'StandAlone', [0], { id: '1' })], {
  mayPromote: false,
  promotionScore: 0,
});
const CREATED = { state: createdState, facts: 'quorum localDiskFailed anyPeerDiskUnknown', monitor: 0, score: 'delete' } as const;
// 07- events2-all-create-change, at its end: promoted, everything UpToDate and connected.
const PROMOTED = {
  state: res(sr, 'Primary', [disk('UpToDate', { minor: 1000 })], [connected('some-peer', 'Secondary', [pd('Established', 'UpToDate')], { id: '1' })], {
    mayPromote: false,
    promotionScore: 10102,
  }),
  facts: HEALTHY_PRIMARY,
  monitor: 8,
  score: 10000,
} as const;
// 06-, at its end: the disk attached UpToDate, the peer connected and Inconsistent, resync running.
const SYNCSOURCE = {
  state: res(sr, 'Secondary', [disk('UpToDate', { minor: 1000 })], [connected('some-peer', 'Secondary', [pd('SyncSource', 'Inconsistent', { done: 37.5 })], { id: '1' })], {
    mayPromote: true,
    promotionScore: 10101,
  }),
  facts: 'allLocalUpToDate allLocalConsistent quorum allConnected',
  monitor: 0,
  score: 10000,
} as const;

const EVENTS2_CASES: CaptureCase[] = [
  {
    file: F03, run: 'group A', resource: 'test0', printed: events2(true),
    state: res('test0', 'Primary', [disk('UpToDate', { minor: 0 })], [connected('peer', 'Secondary', [pd('SyncSource', 'Inconsistent')])]),
    facts: 'primary allLocalUpToDate allLocalConsistent quorum allConnected', monitor: 8, score: 10000,
  },
  {
    file: F03, run: 'group B', resource: 'pvc-0a2826c9-7108-11e9-8f74-0026b954ca4c', printed: events2(true),
    state: res('pvc-0a2826c9-7108-11e9-8f74-0026b954ca4c', 'Secondary', [disk('UpToDate', { minor: 1016 })], [
      connected('kubelet-b', 'Secondary', [pd('Established', 'UpToDate')], { id: '2' }),
    ]),
    facts: HEALTHY_SECONDARY, monitor: 0, score: 10000,
  },
  {
    file: F04, run: '', at: 'create path', resource: 'test', printed: events2(),
    state: res('test', 'Secondary', [disk('Diskless', { minor: 100 })], [unconnected('K14BoxThree', 'StandAlone', [0], { id: '0' })]),
    facts: 'quorum localDiskFailed anyPeerDiskUnknown', monitor: 0, score: 'delete',
  },
  {
    file: F04, run: '', at: 'change device', resource: 'test', printed: events2(),
    state: res('test', 'Secondary', [disk('UpToDate', { minor: 100 })], [peer('K14BoxThree', 'TearDown', 'Unknown', [pd('Established', 'DUnknown')], { id: '0' })]),
    facts: 'allLocalUpToDate allLocalConsistent quorum anyPeerDiskUnknown', monitor: 0, score: 1000,
  },
  { file: F04, run: '', resource: 'test', printed: events2(), state: 'down', monitor: 7, score: 'delete' },
  {
    file: F05, run: '', at: 'exists -', resource: 'testdrbd.root.vol.reliable-leopard', printed: events2(),
    state: res('testdrbd.root.vol.reliable-leopard', 'Secondary', [], [], { mayPromote: true, promotionScore: 10103 }),
    facts: 'quorum allConnected', monitor: 0, score: 'delete',
  },
  {
    file: F05, run: '', at: 'call helper', resource: 'testdrbd.root.vol.reliable-leopard', printed: events2(),
    state: res('testdrbd.root.vol.reliable-leopard', 'Secondary', [], [unconnected('dev2n3', 'TearDown', [0], { id: '2' })], { mayPromote: true, promotionScore: 10102 }),
    facts: 'quorum anyPeerDiskUnknown', monitor: 0, score: 'delete',
  },
  {
    file: F05, run: '', resource: 'testdrbd.root.vol.reliable-leopard', printed: events2(),
    state: res('testdrbd.root.vol.reliable-leopard', 'Secondary', [], [connected('dev2n3', 'Secondary', [pd('Established', 'UpToDate')], { id: '2' })], {
      mayPromote: true,
      promotionScore: 10102,
    }),
    facts: 'quorum somePeerAllUpToDate allPeerDisksUpToDate allConnected', monitor: 0, score: 10,
  },
  { file: F06, run: 'drbdsetup events2; echo', at: 'create path', resource: sr, printed: events2(), ...CREATED },
  { file: F06, run: 'drbdsetup events2; echo', resource: sr, printed: events2(), ...SYNCSOURCE },
  { file: F06, run: 'drbdsetup events2 --statistics', resource: sr, printed: events2(true), ...SYNCSOURCE },
  {
    file: F07, run: 'may-promote-quorum', resource: sr, printed: events2(),
    state: res(sr, 'Secondary', [disk('UpToDate', { minor: 1000, quorum: false })], [], { mayPromote: false, promotionScore: 0 }),
    facts: 'allLocalUpToDate allLocalConsistent allConnected', monitor: 0, score: 'delete',
  },
  {
    file: F07, run: 'may-promote-peer-role', resource: sr, printed: events2(),
    state: res(sr, 'Secondary', [disk('UpToDate', { minor: 1000 })], [peer('some-peer', 'Connected', 'Primary', [pd('Off', 'DUnknown')], { id: '1' })], {
      mayPromote: false,
      promotionScore: 10101,
    }),
    facts: 'somePeerPrimary allLocalUpToDate allLocalConsistent quorum anyPeerDiskUnknown allConnected', monitor: 0, score: 1000,
  },
  {
    file: F07, run: 'promotion-score-inconsistent', resource: sr, printed: events2(),
    state: res(sr, 'Secondary', [disk('Inconsistent', { minor: 1000 })], [connected('some-peer', 'Secondary', [pd('Established', 'UpToDate')], { id: '1' })], {
      mayPromote: true,
      promotionScore: 10001,
    }),
    facts: 'quorum somePeerAllUpToDate allPeerDisksUpToDate allConnected', monitor: 0, score: 10,
  },
  { file: F07, run: 'create-change.msgs | drbdsetup events2; echo', at: 'create path', resource: sr, printed: events2(), ...CREATED },
  { file: F07, run: 'create-change.msgs | drbdsetup events2; echo', resource: sr, printed: events2(), ...PROMOTED },
  { file: F07, run: 'create-change.msgs | drbdsetup events2 --diff', resource: sr, printed: events2(), ...PROMOTED },
  { file: F07, run: 'create-change.msgs | drbdsetup events2 --statistics', resource: sr, printed: events2(true), ...PROMOTED },
  { file: F07, run: 'create-change.msgs | drbdsetup events2 --full', resource: sr, printed: events2(true), ...PROMOTED },
  { file: F07, run: 'create-change.msgs | drbdsetup events2 --timestamps', resource: sr, printed: events2(), ...PROMOTED },
  { file: F07, run: 'create-helper.msgs | drbdsetup events2; echo', resource: sr, printed: events2(), ...CREATED },
  { file: F07, run: 'create-helper.msgs | drbdsetup events2 --timestamps', resource: sr, printed: events2(), ...CREATED },
  { file: F07, run: 'create-destroy', at: 'create path', resource: sr, printed: events2(), ...CREATED },
  { file: F07, run: 'create-destroy', resource: sr, printed: events2(), state: 'down', monitor: 7, score: 'delete' },
];

// Status runs of 11- and 12- (kvaps' LINSTOR cluster): peers with a Diskless (LINSTOR client) Primary.
const DISKLESS_PRIMARY = (name: string) => connected(name, 'Primary', [pd('Established', 'Diskless')]);
const DISKLESS_SECONDARY = (name: string) => connected(name, 'Secondary', [pd('Established', 'Diskless')]);
const UPTODATE = (name: string, role = 'Secondary') => connected(name, role, [pd('Established', 'UpToDate')]);
const SYNCTARGET = (name: string, done: number, role = 'Secondary') => connected(name, role, [pd('SyncTarget', 'UpToDate', { done })]);
const TEXT = status();

const STATUS_CASES: CaptureCase[] = [
  {
    file: F10, run: 'drbdadm status', resource: 'one-vm-9120-disk-0', printed: TEXT,
    state: res('one-vm-9120-disk-0', 'Secondary', [disk('Inconsistent')], [connected('m14c19', 'Secondary', [pd('SyncTarget', 'UpToDate')]), DISKLESS_PRIMARY('m14c36')]),
    facts: 'somePeerPrimary quorum somePeerAllUpToDate allConnected', monitor: 0, score: 10,
  },
  {
    file: F10, run: 'drbdsetup status --verbose --statistics', resource: 'one-vm-9120-disk-0', printed: status(true, true),
    state: res('one-vm-9120-disk-0', 'Secondary', [disk('Inconsistent', { minor: 2796 })], [
      connected('m14c19', 'Secondary', [pd('SyncTarget', 'UpToDate')], { id: '0' }),
      connected('m14c36', 'Primary', [pd('Established', 'Diskless', { client: true })], { id: '3' }),
    ]),
    // The Primary is an intentional diskless client: it does not count as a peer disk.
    facts: 'somePeerPrimary quorum somePeerAllUpToDate allPeerDisksUpToDate allConnected', monitor: 0, score: 10,
  },
  {
    file: F11, run: 'Case 5', resource: 'one-vm-8536-disk-0', printed: TEXT,
    state: res('one-vm-8536-disk-0', 'Secondary', [disk('Outdated', { quorum: false })], [unconnected('m10c27', 'StandAlone'), DISKLESS_SECONDARY('m13c29'), DISKLESS_PRIMARY('m13c9')]),
    facts: 'somePeerPrimary anyPeerDiskUnknown', monitor: 0, score: 'delete',
  },
  {
    file: F11, run: 'Case 7, root@m13c23 before', resource: 'one-vm-8373-disk-2', printed: TEXT,
    state: res('one-vm-8373-disk-2', 'Secondary', [disk('Outdated', { quorum: false })], [DISKLESS_PRIMARY('m11c12'), unconnected('m14c6', 'StandAlone')]),
    facts: 'somePeerPrimary anyPeerDiskUnknown', monitor: 0, score: 'delete',
  },
  {
    file: F11, run: 'Case 7, root@m13c23 after', resource: 'one-vm-8373-disk-2', printed: TEXT,
    state: res('one-vm-8373-disk-2', 'Secondary', [disk('Outdated', { quorum: false })], [DISKLESS_PRIMARY('m11c12'), unconnected('m14c6', 'Connecting')]),
    facts: 'somePeerPrimary anyPeerDiskUnknown', monitor: 0, score: 'delete',
  },
  {
    file: F11, run: 'resync running', resource: 'one-vm-8373-disk-2', printed: TEXT,
    state: res('one-vm-8373-disk-2', 'Secondary', [disk('UpToDate')], [
      DISKLESS_PRIMARY('m11c12'),
      connected('m13c23', 'Secondary', [pd('SyncSource', 'Inconsistent', { done: 72.42 })], { congested: true }),
    ]),
    facts: 'somePeerPrimary allLocalUpToDate allLocalConsistent quorum allConnected', monitor: 0, score: 10000,
  },
  {
    file: F11, run: 'after resync', resource: 'one-vm-8373-disk-2', printed: TEXT,
    state: res('one-vm-8373-disk-2', 'Secondary', [disk('UpToDate')], [DISKLESS_PRIMARY('m11c12'), UPTODATE('m13c23')]),
    facts: 'somePeerPrimary allLocalUpToDate allLocalConsistent quorum somePeerAllUpToDate allConnected', monitor: 0, score: 10000,
  },
  {
    file: F12, run: 'Case 2', resource: 'one-vm-5899-disk-0', printed: TEXT,
    state: res('one-vm-5899-disk-0', 'Secondary', [disk('UpToDate')], [UPTODATE('m11c30'), DISKLESS_PRIMARY('m15c25')]),
    facts: 'somePeerPrimary allLocalUpToDate allLocalConsistent quorum somePeerAllUpToDate allConnected', monitor: 0, score: 10000,
  },
  {
    file: F12, run: 'Case 3, root@m13c35 (stuck', resource: 'one-vm-6372-disk-0', printed: TEXT,
    state: res('one-vm-6372-disk-0', 'Secondary', [disk('Inconsistent')], [SYNCTARGET('m10c17', 51.52), DISKLESS_PRIMARY('m8c10')]),
    facts: 'somePeerPrimary quorum somePeerAllUpToDate allConnected', monitor: 0, score: 10,
  },
  {
    file: F12, run: 'Case 3, root@m13c35 after', resource: 'one-vm-6372-disk-0', printed: TEXT,
    state: res('one-vm-6372-disk-0', 'Secondary', [disk('Inconsistent')], [SYNCTARGET('m10c17', 0), DISKLESS_PRIMARY('m8c10')]),
    facts: 'somePeerPrimary quorum somePeerAllUpToDate allConnected', monitor: 0, score: 10,
  },
  {
    file: F12, run: 'Case 4', resource: 'one-vm-8586-disk-0', printed: TEXT,
    state: res('one-vm-8586-disk-0', 'Secondary', [disk('UpToDate')], [DISKLESS_SECONDARY('m13c17'), DISKLESS_PRIMARY('m13c34'), UPTODATE('m15c36')]),
    facts: 'somePeerPrimary allLocalUpToDate allLocalConsistent quorum somePeerAllUpToDate allConnected', monitor: 0, score: 10000,
  },
  {
    file: F12, run: 'Case 8, root@m13c3 (stuck', resource: 'one-vm-7584-disk-0', printed: TEXT,
    state: res('one-vm-7584-disk-0', 'Secondary', [disk('Inconsistent')], [DISKLESS_PRIMARY('m11c24'), SYNCTARGET('m8c37', 81.71)]),
    facts: 'somePeerPrimary quorum somePeerAllUpToDate allConnected', monitor: 0, score: 10,
  },
  {
    file: F12, run: 'Case 8, root@m13c3 after disconnect', resource: 'one-vm-7584-disk-0', printed: TEXT,
    state: res('one-vm-7584-disk-0', 'Secondary', [disk('Inconsistent')], [DISKLESS_PRIMARY('m11c24'), SYNCTARGET('m8c37', 0)]),
    facts: 'somePeerPrimary quorum somePeerAllUpToDate allConnected', monitor: 0, score: 10,
  },
  {
    file: F12, run: 'Case 8, root@m13c3 right after', resource: 'one-vm-7584-disk-0', printed: TEXT,
    state: res('one-vm-7584-disk-0', 'Secondary', [disk('Inconsistent', { quorum: false })], [DISKLESS_PRIMARY('m11c24'), unconnected('m8c37', 'Connecting')]),
    facts: 'somePeerPrimary anyPeerDiskUnknown', monitor: 0, score: 'delete',
  },
  {
    file: F12, run: 'Case 8, root@m13c3 a moment', resource: 'one-vm-7584-disk-0', printed: TEXT,
    state: res('one-vm-7584-disk-0', 'Secondary', [disk('UpToDate')], [DISKLESS_PRIMARY('m11c24'), UPTODATE('m8c37')]),
    facts: 'somePeerPrimary allLocalUpToDate allLocalConsistent quorum somePeerAllUpToDate allConnected', monitor: 0, score: 10000,
  },
  {
    file: F12, run: 'Case 9, root@m14c29 (Outdated', resource: 'one-vm-7577-disk-2', printed: TEXT,
    state: res('one-vm-7577-disk-2', 'Secondary', [disk('Outdated')], [DISKLESS_SECONDARY('m10c21'), unconnected('m13c10', 'Connecting')]),
    facts: 'quorum anyPeerDiskUnknown', monitor: 0, score: 'delete',
  },
  {
    file: F12, run: 'Case 9, root@m14c29 after', resource: 'one-vm-7577-disk-2', printed: TEXT,
    state: res('one-vm-7577-disk-2', 'Secondary', [disk('UpToDate')], [DISKLESS_SECONDARY('m10c21'), UPTODATE('m13c10', 'Primary')]),
    facts: 'somePeerPrimary allLocalUpToDate allLocalConsistent quorum somePeerAllUpToDate allConnected', monitor: 0, score: 10000,
  },
  {
    file: F12, run: 'Case 11, root@m13c18', part: 0, resource: 'one-vm-8760-disk-0', printed: TEXT,
    state: res('one-vm-8760-disk-0', 'Secondary', [disk('Outdated')], [UPTODATE('m14c27'), unconnected('m8c9', 'Connecting')]),
    facts: 'quorum somePeerAllUpToDate anyPeerDiskUnknown', monitor: 0, score: 10,
  },
  {
    file: F12, run: 'Case 11, root@m13c18', part: 1, resource: 'one-vm-8760-disk-0', printed: TEXT,
    state: res('one-vm-8760-disk-0', 'Secondary', [disk('Outdated')], [UPTODATE('m14c27'), unconnected('m8c9', 'Unconnected')]),
    facts: 'quorum somePeerAllUpToDate anyPeerDiskUnknown', monitor: 0, score: 10,
  },
  {
    // Non-verbose status on a tty does not say whether a Diskless disk is a client: read as a failed disk
    // (13- shows the same node with --verbose: client:yes).
    file: F12, run: 'Case 11, root@m8c9', resource: 'one-vm-8760-disk-0', printed: TEXT,
    state: res('one-vm-8760-disk-0', 'Primary', [disk('Diskless')], [unconnected('m13c18', 'Unconnected'), UPTODATE('m14c27')]),
    facts: 'primary localDiskFailed quorum somePeerAllUpToDate anyPeerDiskUnknown', monitor: 9, score: 10,
  },
  {
    file: F12, run: 'Case 12, root@m11c39', resource: 'one-vm-6967-disk-0', printed: TEXT,
    state: res('one-vm-6967-disk-0', 'Primary', [disk('Diskless')], [connected('m13c15', 'Secondary', [pd('Established', 'Consistent')]), UPTODATE('m14c40')]),
    facts: 'primary localDiskFailed quorum somePeerAllUpToDate allConnected', monitor: 9, score: 10,
  },
  {
    file: F12, run: 'Case 12, root@m13c15 after disconnect, invalidate', resource: 'one-vm-6967-disk-0', printed: TEXT,
    state: res('one-vm-6967-disk-0', 'Secondary', [disk('Inconsistent')], [DISKLESS_PRIMARY('m11c39'), SYNCTARGET('m14c40', 3.04)]),
    facts: 'somePeerPrimary quorum somePeerAllUpToDate allConnected', monitor: 0, score: 10,
  },
  {
    file: F12, run: 'Case 12, root@m13c15 sync finished', resource: 'one-vm-6967-disk-0', printed: TEXT,
    state: res('one-vm-6967-disk-0', 'Secondary', [disk('Inconsistent')], [DISKLESS_PRIMARY('m11c39'), UPTODATE('m14c40')]),
    facts: 'somePeerPrimary quorum somePeerAllUpToDate allConnected', monitor: 0, score: 10,
  },
  {
    file: F12, run: 'Case 12, root@m13c15 after disconnect/connect', resource: 'one-vm-6967-disk-0', printed: TEXT,
    state: res('one-vm-6967-disk-0', 'Secondary', [disk('UpToDate')], [DISKLESS_PRIMARY('m11c39'), UPTODATE('m14c40')]),
    facts: 'somePeerPrimary allLocalUpToDate allLocalConsistent quorum somePeerAllUpToDate allConnected', monitor: 0, score: 10000,
  },
  {
    file: F12, run: 'Case 13', resource: 'one-vm-7792-disk-0', printed: TEXT,
    state: res('one-vm-7792-disk-0', 'Secondary', [disk('Diskless', { quorum: false })], [unconnected('m13c9', 'Connecting'), unconnected('m14c13', 'Connecting')]),
    facts: 'localDiskFailed anyPeerDiskUnknown', monitor: 0, score: 'delete',
  },
  {
    file: F13, run: 'Case 10, root@m8c11', resource: 'one-vm-10154-disk-0', printed: status(true),
    state: res('one-vm-10154-disk-0', 'Secondary', [disk('Outdated', { minor: 3194 })], [
      connected('m11c37', 'Secondary', [pd('Established', 'UpToDate')], { id: '1' }),
      unconnected('m8c8', 'Unconnected', [0], { id: '3' }),
    ]),
    facts: 'quorum somePeerAllUpToDate anyPeerDiskUnknown', monitor: 0, score: 10,
  },
  {
    file: F13, run: 'Case 10, root@m8c8', resource: 'one-vm-10154-disk-0', printed: status(true),
    state: res('one-vm-10154-disk-0', 'Primary', [disk('Diskless', { minor: 3194, client: true })], [
      connected('m11c37', 'Secondary', [pd('Established', 'UpToDate')], { id: '1' }),
      peer('m8c11', 'Unconnected', 'Unknown', [pd('Off', 'Outdated')], { id: '0' }),
    ]),
    facts: 'primary disklessClient quorum somePeerAllUpToDate', monitor: 8, score: 9999,
  },
  {
    file: F13, run: 'Case 11, root@m8c9', resource: 'one-vm-8760-disk-0', printed: status(true),
    state: res('one-vm-8760-disk-0', 'Primary', [disk('Diskless', { minor: 1016, client: true })], [
      peer('m13c18', 'Unconnected', 'Unknown', [pd('Off', 'Outdated')], { id: '0' }),
      connected('m14c27', 'Secondary', [pd('Established', 'UpToDate')], { id: '1' }),
    ]),
    facts: 'primary disklessClient quorum somePeerAllUpToDate', monitor: 8, score: 9999,
  },
  {
    file: F13, run: 'Case 11, root@m13c18', resource: 'one-vm-8760-disk-0', printed: status(true),
    state: res('one-vm-8760-disk-0', 'Secondary', [disk('Outdated', { minor: 1016 })], [
      connected('m14c27', 'Secondary', [pd('Established', 'UpToDate')], { id: '1' }),
      unconnected('m8c9', 'Unconnected', [0], { id: '2' }),
    ]),
    facts: 'quorum somePeerAllUpToDate anyPeerDiskUnknown', monitor: 0, score: 10,
  },
  {
    file: F13, run: 'Case 11, root@m14c27', resource: 'one-vm-8760-disk-0', printed: status(true),
    state: res('one-vm-8760-disk-0', 'Secondary', [disk('UpToDate', { minor: 1016 })], [
      connected('m13c18', 'Secondary', [pd('Established', 'Outdated')], { id: '0' }),
      connected('m8c9', 'Primary', [pd('Established', 'Diskless', { client: true })], { id: '3' }),
    ]),
    facts: 'somePeerPrimary allLocalUpToDate allLocalConsistent quorum allConnected', monitor: 0, score: 10000,
  },
  ...['colo-srv-1 ~', 'colo-srv-2 linstor'].map((run): CaptureCase => {
    const others = run.startsWith('colo-srv-1') ? ['colo-srv-2', 'colo-srv-3'] : ['colo-srv-1', 'colo-srv-3'];
    return {
      file: F14, run, resource: 'linstor_db', printed: TEXT,
      state: res('linstor_db', 'Secondary', [disk('Diskless', { quorum: false })], others.map((o) => unconnected(o, 'StandAlone'))),
      facts: 'localDiskFailed anyPeerDiskUnknown', monitor: 0, score: 'delete',
    };
  }),
  {
    file: F14, run: 'colo-srv-3 ~', resource: 'linstor_db', printed: TEXT,
    state: res('linstor_db', 'Secondary', [disk('UpToDate', { quorum: false })], [unconnected('colo-srv-1', 'Connecting'), unconnected('colo-srv-2', 'Connecting')]),
    facts: 'allLocalUpToDate allLocalConsistent anyPeerDiskUnknown', monitor: 0, score: 'delete',
  },
  {
    file: F15, run: 'right after drbdadm up', resource: 'postgresql', printed: TEXT,
    state: res('postgresql', 'Secondary', [disk('Inconsistent')], [unconnected('d52-54-77-77-01-01', 'Connecting')]),
    facts: 'quorum anyPeerDiskUnknown', monitor: 0, score: 'delete',
  },
  {
    file: F15, run: 'replication phase', resource: 'postgresql', printed: TEXT,
    state: res('postgresql', 'Secondary', [disk('Inconsistent')], [SYNCTARGET('d52-54-77-77-01-01', 0.08, 'Primary')]),
    facts: 'somePeerPrimary quorum somePeerAllUpToDate allPeerDisksUpToDate allConnected', monitor: 0, score: 10,
  },
  {
    file: F15, run: 'after the sync', resource: 'postgresql', printed: TEXT,
    state: res('postgresql', 'Secondary', [disk('UpToDate')], [UPTODATE('d52-54-77-77-01-01', 'Primary')]),
    facts: `somePeerPrimary ${HEALTHY_SECONDARY}`, monitor: 0, score: 10000,
  },
  // 16-: 22 resources on one node of a 2-node cluster, all UpToDate and connected; [name, own role, peer role].
  ...(
    [
      ['local_home_disk', 'Primary', 'Primary'], // dual Primary (allow-two-primaries)
      ...['seliicvm01755_sda', 'seliicvm01767_sda', 'seliicvm01768_sda', 'seliicvm01769_sda', 'seliicvm15238_sda', 'seliius20737_sda', 'seliius20738_sda',
        'seliius20740_sda', 'seliius20741_sda', 'seliius20743_sda', 'seliius20744_sda', 'seliius30745_sda', 'seliius30748_sda', 'seliius30749_sda',
        'seliius30750_sda', 'seliius30751_sda', 'seliius30753_sda'].map((n) => [n, 'Primary', 'Secondary']),
      ...['seliius30752_sda', 'seliius30752_sdb', 'seliius30754_sda', 'seliius30755_sda'].map((n) => [n, 'Secondary', 'Primary']),
    ] as [string, string, string][]
  ).map(([name, role, peerRole]): CaptureCase => ({
    file: F16, run: 'drbdadm status', resource: name, printed: TEXT,
    state: res(name, role, [disk('UpToDate')], [UPTODATE('seliics02058', peerRole)]),
    facts: `${role === 'Primary' ? 'primary ' : ''}${peerRole === 'Primary' ? 'somePeerPrimary ' : ''}${HEALTHY_SECONDARY}`,
    monitor: role === 'Primary' ? 8 : 0,
    score: 10000,
  })),
  // 17-: the sister node: [name, own role, peer role]; two resources are special (below).
  ...(
    [
      ['cluster_conf', 'Secondary', 'Secondary'],
      ['libvirt_pool_b', 'Secondary', 'Secondary'],
      ...['seroicvm01485_sda', 'seroicvm01488_sda', 'seroicvm01491_sda', 'seroicvm01492_sda', 'seroicvm01492_sdb', 'seroicvm23403_sda', 'seroius15014_sda',
        'seroius15015_sda', 'seroius15016_sda'].map((n) => [n, 'Secondary', 'Primary']),
      ['seroius15078_sda', 'Primary', 'Secondary'],
    ] as [string, string, string][]
  ).map(([name, role, peerRole]): CaptureCase => ({
    file: F17, run: 'drbdadm status', resource: name, printed: TEXT,
    state: res(name, role, [disk('UpToDate')], [UPTODATE('seroics95861', peerRole)]),
    facts: `${role === 'Primary' ? 'primary ' : ''}${peerRole === 'Primary' ? 'somePeerPrimary ' : ''}${HEALTHY_SECONDARY}`,
    monitor: role === 'Primary' ? 8 : 0,
    score: 10000,
  })),
  {
    // No peer configured at all: every (vacuous) peer disk is known, as good as it gets.
    file: F17, run: 'drbdadm status', resource: 'libvirt_pool_a', printed: TEXT,
    state: res('libvirt_pool_a', 'Secondary', [disk('UpToDate')], []),
    facts: 'allLocalUpToDate allLocalConsistent quorum allConnected', monitor: 0, score: 10000,
  },
  {
    file: F17, run: 'drbdadm status', resource: 'linstor_ctrl_data', printed: TEXT,
    state: res('linstor_ctrl_data', 'Secondary', [disk('UpToDate')], [unconnected('seroics95861', 'Connecting')]),
    facts: 'allLocalUpToDate allLocalConsistent quorum anyPeerDiskUnknown', monitor: 0, score: 1000,
  },
  {
    file: F18, run: 'after drbdadm primary --force', resource: 'r0', printed: TEXT,
    state: res('r0', 'Primary', [disk('UpToDate')], [connected('peer', 'Secondary', [pd('SyncSource', 'Inconsistent', { done: 1.62 })])]),
    facts: 'primary allLocalUpToDate allLocalConsistent quorum allConnected', monitor: 8, score: 10000,
  },
  {
    file: F18, run: '[root@drdb02 ~]# drbdadm status', resource: 'r0', printed: TEXT,
    state: res('r0', 'Secondary', [disk('Inconsistent')], [SYNCTARGET('peer', 2.04, 'Primary')]),
    facts: 'somePeerPrimary quorum somePeerAllUpToDate allPeerDisksUpToDate allConnected', monitor: 0, score: 10,
  },
  ...['after create-md', '[root@drdb01 ~]# drbdadm status r0'].map((run): CaptureCase => ({
    file: F18, run, resource: 'r0', printed: TEXT,
    state: res('r0', 'Secondary', [disk('Inconsistent')], [unconnected('peer', 'Connecting')]),
    facts: 'quorum anyPeerDiskUnknown', monitor: 0, score: 'delete',
  })),
  {
    file: F18, run: 'both up, before primary', resource: 'r0', printed: TEXT,
    state: res('r0', 'Secondary', [disk('Inconsistent')], [connected('peer', 'Secondary', [pd('Established', 'Inconsistent')])]),
    facts: 'quorum allConnected', monitor: 0, score: 'delete',
  },
  {
    file: F18, run: 'later, drdb01 Primary', resource: 'r0', printed: TEXT,
    state: res('r0', 'Secondary', [disk('UpToDate')], [UPTODATE('peer', 'Primary')]),
    facts: `somePeerPrimary ${HEALTHY_SECONDARY}`, monitor: 0, score: 10000,
  },
  {
    file: F18, run: 'drbdsetup status r0 home', resource: 'r0', printed: TEXT,
    state: res('r0', 'Primary', [disk('UpToDate')], [UPTODATE('peer')]),
    facts: HEALTHY_PRIMARY, monitor: 8, score: 10000,
  },
  {
    file: F19, run: 'drbdsetup status r1 --verbose --statistics', resource: 'r1', printed: status(true, true),
    state: res('r1', 'Secondary', [disk('Inconsistent', { minor: 2 })], [connected('drbd2', 'Primary', [pd('SyncTarget', 'UpToDate', { done: 23.53 })], { id: '0' })]),
    facts: 'somePeerPrimary quorum somePeerAllUpToDate allPeerDisksUpToDate allConnected', monitor: 0, score: 10,
  },
  {
    // The 8.4 module through drbd-utils 9: no node-id, the peer is called `peer`; wrapped at 80 columns.
    file: F20, run: '', resource: 'r0', printed: status(true, true, false, 80),
    state: res('r0', 'Primary', [disk('UpToDate', { minor: 1 })], [UPTODATE('peer')]),
    facts: HEALTHY_PRIMARY, monitor: 8, score: 10000,
  },
  ...['before reboot', 'after reboot'].map((run): CaptureCase => {
    const role = run === 'before reboot' ? 'Primary' : 'Secondary';
    return {
      file: F24, run, resource: 'r0', printed: TEXT,
      state: res('r0', role, [disk('UpToDate')], [UPTODATE('peer')]),
      facts: role === 'Primary' ? HEALTHY_PRIMARY : HEALTHY_SECONDARY, monitor: role === 'Primary' ? 8 : 0, score: 10000,
    };
  }),
  {
    file: F24, run: 'after satellite restart', resource: 'pvc-1ed58414-0a3d-415d-8b20-80d4fae9cf71', printed: TEXT,
    state: res('pvc-1ed58414-0a3d-415d-8b20-80d4fae9cf71', 'Primary', [disk('UpToDate')], [UPTODATE('kube-node-1'), UPTODATE('kube-node-6')]),
    facts: HEALTHY_PRIMARY, monitor: 8, score: 10000,
  },
  {
    file: F24, run: 'before satellite restart', resource: 'pvc-1ed58414-0a3d-415d-8b20-80d4fae9cf71', printed: TEXT,
    state: res('pvc-1ed58414-0a3d-415d-8b20-80d4fae9cf71', 'Secondary', [disk('UpToDate')], [UPTODATE('kube-node-1'), UPTODATE('kube-node-2', 'Primary')]),
    facts: `somePeerPrimary ${HEALTHY_SECONDARY}`, monitor: 0, score: 10000,
  },
  {
    file: F24, run: 'drbdadm status one-vm-7707-disk-0', resource: 'one-vm-7707-disk-0', printed: TEXT,
    state: res('one-vm-7707-disk-0', 'Secondary', [disk('Inconsistent')], [UPTODATE('m10c41'), DISKLESS_PRIMARY('m11c4')]),
    facts: 'somePeerPrimary quorum somePeerAllUpToDate allConnected', monitor: 0, score: 10,
  },
  {
    file: F25, run: 'block A', resource: 'single', printed: TEXT,
    state: res('single', 'Primary', [disk('UpToDate')], [connected('opensuse-node2', 'Secondary', [pd('SyncSource', 'Inconsistent', { done: 96.47 })])]),
    facts: 'primary allLocalUpToDate allLocalConsistent quorum allConnected', monitor: 8, score: 10000,
  },
  ...['test', 'res'].map((name): CaptureCase => {
    const both = [pdv(0, 'Established', 'UpToDate'), pdv(1, 'Established', 'UpToDate')];
    return {
      file: F25, run: 'block B', resource: name, printed: TEXT,
      state: res(name, 'Primary', [vol(0, 'UpToDate'), vol(1, 'UpToDate')], [connected('node2', 'Secondary', both), connected('node3', 'Secondary', both)]),
      facts: HEALTHY_PRIMARY, monitor: 8, score: 10000,
    };
  }),
  {
    file: F25, run: 'block C', resource: 'resource', printed: TEXT,
    state: res('resource', 'Secondary', [vol(0, 'Inconsistent'), vol(1, 'Inconsistent')], [
      connected('drbd-node1', 'Primary', [pdv(0, 'SyncTarget', 'UpToDate', { done: 10.17 }), pdv(1, 'SyncTarget', 'UpToDate', { done: 74.08 })]),
      connected('drbd-node2', 'Secondary', [pdv(0, 'Established', 'Inconsistent'), pdv(1, 'Established', 'Inconsistent')]),
    ]),
    facts: 'somePeerPrimary quorum somePeerAllUpToDate allConnected', monitor: 0, score: 10,
  },
];

export const CAPTURE_CASES: readonly CaptureCase[] = [...EVENTS2_CASES, ...STATUS_CASES];

/** `/proc/drbd` and `drbdadm --version` runs: the version a person reads there (undefined: none shown). */
export const VERSION_CASES: readonly { file: string; run: string; tool: 'proc' | 'drbdadm'; kernel: string | undefined; utils?: string }[] = [
  { file: F16, run: 'cat /proc/drbd', tool: 'proc', kernel: '9.2.14' },
  { file: F18, run: 'cat /proc/drbd', tool: 'proc', kernel: '8.4.11' },
  { file: '26-proc-drbd-84-83-connection-states.txt', run: 'controller-2(dmaster*) ~]# cat /proc/drbd', tool: 'proc', kernel: '8.4.6' },
  { file: '26-proc-drbd-84-83-connection-states.txt', run: 'drbd-overview', tool: 'proc', kernel: undefined },
  { file: '26-proc-drbd-84-83-connection-states.txt', run: 'controller]# cat /proc/drbd', tool: 'proc', kernel: '8.4.6' },
  { file: '26-proc-drbd-84-83-connection-states.txt', run: 'initial state', tool: 'proc', kernel: '8.4.10' },
  { file: '26-proc-drbd-84-83-connection-states.txt', run: 'after fixing the network', tool: 'proc', kernel: undefined },
  { file: '26-proc-drbd-84-83-connection-states.txt', run: 'before "drbdadm invalidate"', tool: 'proc', kernel: undefined },
  { file: F24, run: 'drbdadm --version', tool: 'drbdadm', kernel: '8.4.11', utils: '9.28.0' },
];
