// SPDX-License-Identifier: GPL-2.0-or-later
// Round trips between the simulator's formatters and the agent's parsers: for generated DRBD states, what drbdsim
// prints (events2 --now, an events2 stream of changes, status text in every mode, drbdadm --version, refusals)
// reads back through the agent's parsers as the state that was printed.
import { expect } from 'chai';
import fc from 'fast-check';
import { Events2Tracker, parseEvents2 } from '../../../agents/drbd/events2.js';
import type { DrbdState } from '../../../agents/drbd/model.js';
import { parseStatusText } from '../../../agents/drbd/status.js';
import { failure } from '../../../agents/drbd/tools.js';
import { formatVersion, parseDrbdadmVersion } from '../../../agents/drbd/version.js';
import { drbdadmVersion, errorText, events2Changes, events2Now, exitCodeFor, promotionInfo, SS, statusText, UTILS_VERSION } from '../../../scripts/drbdsim/format.js';
import { DISK_STATES, type ConnState, type ConnectionSnap, type DeviceSnap, type DiskState, type ReplState, type ResourceSnap } from '../../../scripts/drbdsim/types.js';
import { RUNS } from '../../helpers/hostile-text.js';

const CONN_STATES: ConnState[] = ['StandAlone', 'Disconnecting', 'Unconnected', 'Timeout', 'BrokenPipe', 'NetworkFailure', 'ProtocolError', 'TearDown', 'Connecting', 'Connected'];
const REPL_STATES: ReplState[] = ['Off', 'Established', 'StartingSyncS', 'StartingSyncT', 'WFBitMapS', 'WFBitMapT', 'WFSyncUUID', 'SyncSource', 'SyncTarget', 'VerifyS', 'VerifyT', 'PausedSyncS', 'PausedSyncT', 'Ahead', 'Behind'];
const LOCAL_DISKS = DISK_STATES.filter((d) => d !== 'DUnknown');

const resourceName = fc.stringMatching(/^[A-Za-z0-9_][A-Za-z0-9_.+-]{0,20}$/);
const peerName = fc.stringMatching(/^[a-z][a-z0-9.-]{0,15}$/);
const counter = fc.nat(1e9);

/** A disk and whether it is an intentional diskless client (only a Diskless disk can be). */
const diskWithClient = (states: readonly DiskState[]) =>
  fc.constantFrom(...states).chain((disk) => (disk === 'Diskless' ? fc.boolean() : fc.constant(false)).map((client) => ({ disk, client })));

type Shape = {
  /** Only what non-verbose status can show: unconnected peers Off (and DUnknown unless statistics are printed). */
  plainStatus?: { statistics: boolean };
};

function deviceOf(volume: number): fc.Arbitrary<DeviceSnap> {
  return fc.record({ dc: diskWithClient(LOCAL_DISKS), quorum: fc.boolean(), size: counter, read: counter, written: counter }).map(({ dc, quorum, size, read, written }) => ({
    volume,
    minor: 100 + volume, // a device keeps its minor
    backingDev: dc.disk === 'Diskless' ? 'none' : `/dev/vg/lv${volume}`,
    disk: dc.disk,
    client: dc.client,
    quorum,
    size, read, written, alWrites: 0, bmWrites: 0, upperPending: 0, lowerPending: 0,
  }));
}

function connectionOf(peerNodeId: number, name: string, volumes: readonly number[], shape: Shape): fc.Arbitrary<ConnectionSnap> {
  return fc.constantFrom(...CONN_STATES).chain((connection) => {
    const isConnected = connection === 'Connected';
    const plain = shape.plainStatus;
    const replication = fc.constantFrom(...REPL_STATES.filter((r) => (!plain ? true : isConnected ? r !== 'Off' : r === 'Off')));
    const peerDisk = diskWithClient(!plain || isConnected || plain.statistics ? DISK_STATES : ['DUnknown']);
    const peerDevice = (volume: number) =>
      fc.record({ replication, pdc: peerDisk, done: fc.option(fc.integer({ min: 0, max: 10000 }).map((n) => n / 100), { nil: undefined }), received: counter, sent: counter, outOfSync: counter }).map(
        ({ replication: r, pdc, done, received, sent, outOfSync }) => ({ volume, replication: r, peerDisk: pdc.disk, peerClient: pdc.client, done, received, sent, outOfSync, pending: 0, unacked: 0 }),
      );
    return fc.record({
      role: isConnected || !plain ? fc.constantFrom('Primary' as const, 'Secondary' as const, 'Unknown' as const) : fc.constant('Unknown' as const),
      congested: fc.boolean(),
      apInFlight: counter,
      rsInFlight: counter,
      peerDevices: fc.tuple(...volumes.map(peerDevice)),
      established: fc.boolean(),
    }).map(({ established, ...rest }) => ({
      peerNodeId,
      name,
      connection,
      ...rest,
      peerDevices: [...rest.peerDevices],
      paths: [{ local: 'ipv4:10.0.0.1:7789', peer: `ipv4:10.0.0.${peerNodeId + 2}:7789`, established }],
    }));
  });
}

/** The peers of a cluster: node ids and names that belong together. */
const PEERS = fc.uniqueArray(fc.tuple(fc.nat(31), peerName), { maxLength: 3, selector: ([id]) => id }).map((peers) => {
  const seen = new Set<string>();
  return peers.filter(([, name]) => !seen.has(name) && seen.add(name));
});

function resourceOf(name: string, peers: readonly (readonly [number, string])[], shape: Shape = {}): fc.Arbitrary<ResourceSnap> {
  return fc.uniqueArray(fc.nat(3), { maxLength: 3 }).chain((unsorted) => {
    const volumes = [...unsorted].sort((a, b) => a - b);
    return fc.record({
      nodeId: fc.nat(31),
      role: fc.constantFrom('Primary' as const, 'Secondary' as const),
      suspended: fc.constantFrom('no', 'user', 'no-data', 'user,quorum'),
      forceIoFailures: fc.boolean(),
      devices: fc.tuple(...volumes.map(deviceOf)),
      connections: fc.tuple(...peers.map(([id, peer]) => connectionOf(id, peer, volumes, shape))),
    }).map((r) => ({ name, writeOrdering: 'flush', ...r, devices: [...r.devices], connections: [...r.connections] }));
  });
}

const snapshot = (shape: Shape = {}) => fc.tuple(resourceName, PEERS).chain(([name, peers]) => resourceOf(name, peers, shape));

/** What the output shows: promotion info (events2 only), node ids or only names, minors (not plain status). */
type Projection = { withPromotion: boolean; ids: 'node-id' | 'name'; minors?: false };

/** The state the agent should read from what the simulator printed for snap. */
function expected(snap: ResourceSnap, p: Projection): DrbdState {
  const info = promotionInfo(snap);
  const idOf = (c: ConnectionSnap): string => (p.ids === 'node-id' ? String(c.peerNodeId) : c.name);
  const conns = [...snap.connections].sort((a, b) => idOf(a).localeCompare(idOf(b)));
  return {
    up: true,
    resource: {
      name: snap.name,
      role: snap.role,
      suspended: snap.suspended,
      mayPromote: p.withPromotion ? info.mayPromote : undefined,
      promotionScore: p.withPromotion ? info.score : undefined,
    },
    connections: conns.map((c) => ({ peerNodeId: idOf(c), name: c.name, connection: c.connection, peerRole: c.role })),
    devices: snap.devices.map((d) => ({ volume: d.volume, minor: p.minors === false ? undefined : d.minor, disk: d.disk, client: d.client, quorum: d.quorum })),
    peerDevices: conns.flatMap((c) =>
      c.peerDevices.map((pd) => ({ peerNodeId: idOf(c), volume: pd.volume, replication: pd.replication, peerDisk: pd.peerDisk, peerClient: pd.peerClient })),
    ),
  };
}

/** A parsed state in a fixed order (status keeps the printed order, events2 sorts). */
function sorted(state: DrbdState): DrbdState {
  if (!state.up) return state;
  return {
    ...state,
    connections: [...state.connections].sort((a, b) => a.peerNodeId.localeCompare(b.peerNodeId)),
    devices: [...state.devices].sort((a, b) => a.volume - b.volume),
    peerDevices: [...state.peerDevices].sort((a, b) => a.peerNodeId.localeCompare(b.peerNodeId) || a.volume - b.volume),
  };
}

describe('drbdsim formats read back by the agent: property tests', () => {
  it('events2 --now [--statistics]', () => {
    fc.assert(
      fc.property(snapshot(), fc.boolean(), (snap, statistics) => {
        const text = events2Now([snap], { statistics });
        expect(parseEvents2(text, snap.name)).to.deep.equal(expected(snap, { withPromotion: true, ids: 'node-id' }));
      }),
      RUNS,
    );
  });

  it('an events2 stream: the --now dump, then the changes to another state', () => {
    // Peers come and go, but a peer keeps its node id and name.
    const twoStates = fc
      .tuple(resourceName, PEERS)
      .chain(([name, peers]) => fc.tuple(fc.subarray(peers), fc.subarray(peers)).chain(([before, after]) => fc.tuple(resourceOf(name, before), resourceOf(name, after))));
    fc.assert(
      fc.property(twoStates, fc.boolean(), ([before, after], statistics) => {
        const tracker = new Events2Tracker(before.name);
        for (const line of events2Now([before], { statistics }).split('\n')) tracker.apply(line);
        for (const line of events2Changes(before, after, { statistics })) tracker.apply(line);
        expect(tracker.state()).to.deep.equal(expected(after, { withPromotion: true, ids: 'node-id' }));
      }),
      RUNS,
    );
  });

  it('status --verbose [--statistics], wrapped at any width, on a tty or not', () => {
    fc.assert(
      fc.property(snapshot(), fc.boolean(), fc.boolean(), fc.integer({ min: 20, max: 200 }), (snap, statistics, tty, columns) => {
        const text = statusText([snap], { verbose: true, statistics, tty, columns });
        expect(sorted(parseStatusText(text, snap.name)), text).to.deep.equal(expected(snap, { withPromotion: false, ids: 'node-id' }));
      }),
      RUNS,
    );
  });

  it('plain status [--statistics] (not a tty) of the states it can show', () => {
    const plain = fc.boolean().chain((statistics) => fc.tuple(snapshot({ plainStatus: { statistics } }), fc.constant(statistics)));
    fc.assert(
      fc.property(plain, fc.integer({ min: 20, max: 200 }), ([snap, statistics], columns) => {
        const text = statusText([snap], { verbose: false, statistics, tty: false, columns });
        expect(sorted(parseStatusText(text, snap.name)), text).to.deep.equal(expected(snap, { withPromotion: false, ids: 'name', minors: false }));
      }),
      RUNS,
    );
  });

  it('status of several resources: each reads as its own', () => {
    fc.assert(
      fc.property(fc.uniqueArray(snapshot(), { minLength: 2, maxLength: 3, selector: (s) => s.name }), fc.boolean(), (snaps, verbose) => {
        const text = statusText(snaps, { verbose: true, statistics: verbose, tty: false, columns: 80 });
        for (const snap of snaps) expect(sorted(parseStatusText(text, snap.name))).to.deep.equal(expected(snap, { withPromotion: false, ids: 'node-id' }));
      }),
      RUNS,
    );
  });

  it('drbdadm --version: the module version and the utils version', () => {
    const version = fc.tuple(fc.integer({ min: 1, max: 255 }), fc.nat(255), fc.nat(255)).map((v) => v.join('.'));
    fc.assert(
      fc.property(version, (kernel) => {
        const parsed = parseDrbdadmVersion(drbdadmVersion(kernel));
        expect(parsed.kernel && formatVersion(parsed.kernel)).to.equal(kernel);
        expect(parsed.utils && formatVersion(parsed.utils)).to.equal(UTILS_VERSION);
      }),
      RUNS,
    );
  });

  it('a refusal: the reason names the kernel error and the exit code', () => {
    fc.assert(
      fc.property(fc.constantFrom(...Object.values(SS)), resourceName, (error, object) => {
        const exitCode = exitCodeFor(error);
        const reason = failure({ command: 'drbdsetup', exitCode, stdout: '', stderr: errorText(object, error), ok: false, timedOut: false });
        expect(reason).to.include(error.text);
        expect(reason).to.match(new RegExp(`\\(rc ${exitCode}\\)$`));
      }),
      RUNS,
    );
  });
});
