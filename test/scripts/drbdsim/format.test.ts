// SPDX-License-Identifier: GPL-2.0-or-later
// The simulator's output formats against the drbd-utils 9.22 samples of drbd.md (test/fixtures/drbd).
import { expect } from 'chai';
import {
  drbdadmVersion,
  errorText,
  events2Changes,
  events2Now,
  exitCodeFor,
  promotionInfo,
  SS,
  statusJson,
  statusText,
  versionCode,
} from '../../../scripts/drbdsim/format.js';
import type { ConnectionSnap, DeviceSnap, DiskState, ReplState, ResourceSnap, Role, ConnState } from '../../../scripts/drbdsim/types.js';
import { fixture } from './fixtures.js';


function device(disk: DiskState, extra: Partial<DeviceSnap> = {}): DeviceSnap {
  return {
    volume: 0,
    minor: 0,
    backingDev: disk === 'Diskless' ? 'none' : '/dev/vdb',
    disk,
    client: false,
    quorum: true,
    size: 1048508,
    read: 0,
    written: 0,
    alWrites: 0,
    bmWrites: 0,
    upperPending: 0,
    lowerPending: 0,
    ...extra,
  };
}

function connection(state: ConnState, role: Role, repl: ReplState, peerDisk: DiskState, extra: Partial<ConnectionSnap> = {}, done?: number): ConnectionSnap {
  return {
    peerNodeId: 1,
    name: 'peer2',
    connection: state,
    role,
    congested: false,
    apInFlight: 0,
    rsInFlight: 0,
    peerDevices: [
      { volume: 0, replication: repl, peerDisk, peerClient: false, done, received: 0, sent: 0, outOfSync: 0, pending: 0, unacked: 0 },
    ],
    paths: [{ local: 'ipv4:10.0.0.1:7789', peer: 'ipv4:10.0.0.2:7789', established: state === 'Connected' }],
    ...extra,
  };
}

function resource(role: Role, dev: DeviceSnap, conns: ConnectionSnap[], name = 'r0'): ResourceSnap {
  return { name, nodeId: 0, role, suspended: 'no', forceIoFailures: false, writeOrdering: 'flush', devices: [dev], connections: conns };
}

/** The states of drbd.md §7's measured table, one events2 fixture each. */
const EVENTS2_STATES: [string, ResourceSnap][] = [
  ['events2-now-secondary-peer-primary.txt', resource('Secondary', device('UpToDate'), [connection('Connected', 'Primary', 'Established', 'UpToDate')])],
  ['events2-now-primary-connected.txt', resource('Primary', device('UpToDate'), [connection('Connected', 'Secondary', 'Established', 'UpToDate')])],
  ['events2-now-secondary-connecting.txt', resource('Secondary', device('UpToDate'), [connection('Connecting', 'Unknown', 'Off', 'DUnknown')])],
  ['events2-now-primary-connecting.txt', resource('Primary', device('UpToDate'), [connection('Connecting', 'Unknown', 'Off', 'DUnknown')])],
  ['events2-now-consistent-connecting.txt', resource('Secondary', device('Consistent'), [connection('Connecting', 'Unknown', 'Off', 'DUnknown')])],
  ['events2-now-outdated-peer-primary.txt', resource('Secondary', device('Outdated'), [connection('Connected', 'Primary', 'Established', 'UpToDate')])],
  [
    'events2-now-synctarget-peer-primary.txt',
    resource('Secondary', device('Inconsistent'), [connection('Connected', 'Primary', 'SyncTarget', 'UpToDate', {}, 37.5)]),
  ],
  [
    'events2-now-syncsource-primary.txt',
    resource('Primary', device('UpToDate'), [connection('Connected', 'Secondary', 'SyncSource', 'Inconsistent', {}, 37.5)]),
  ],
  ['events2-now-outdated-connecting.txt', resource('Secondary', device('Outdated'), [connection('Connecting', 'Unknown', 'Off', 'DUnknown')])],
  ['events2-now-quorum-lost.txt', resource('Secondary', device('UpToDate', { quorum: false }), [connection('Connected', 'Secondary', 'Established', 'UpToDate')])],
  ['events2-now-attaching.txt', resource('Secondary', device('Attaching'), [connection('Connected', 'Secondary', 'Off', 'DUnknown', { paths: [{ local: 'ipv4:10.0.0.1:7789', peer: 'ipv4:10.0.0.2:7789', established: true }] })])],
  [
    'events2-now-diskless-client-peer-primary.txt',
    resource('Secondary', device('Diskless', { client: true }), [connection('Connected', 'Primary', 'Established', 'UpToDate')]),
  ],
  ['events2-now-standalone-primary.txt', resource('Primary', device('UpToDate'), [connection('StandAlone', 'Unknown', 'Off', 'DUnknown')])],
];

describe('drbdsim formats', () => {
  describe('events2 --now', () => {
    for (const [file, snap] of EVENTS2_STATES) {
      it(`prints ${file}`, () => {
        expect(events2Now([snap], { statistics: false })).to.equal(fixture(file));
      });
    }

    it('prints only `exists -` for a resource that is not up', () => {
      expect(events2Now([], { statistics: false })).to.equal(fixture('events2-now-not-up.txt'));
    });

    it('places the --statistics fields as 9.22 does', () => {
      const snap = EVENTS2_STATES[0]?.[1] as ResourceSnap;
      expect(events2Now([snap], { statistics: true })).to.equal(fixture('events2-now-statistics-secondary-peer-primary.txt'));
    });
  });

  describe('events2 changes', () => {
    it('prints only the changed fields, may_promote and promotion_score together', () => {
      const before = resource('Secondary', device('UpToDate'), [connection('Connected', 'Secondary', 'Established', 'UpToDate')]);
      const after = resource('Secondary', device('UpToDate'), [connection('Connected', 'Primary', 'Established', 'UpToDate')]);
      expect(events2Changes(before, after, { statistics: false })).to.deep.equal([
        'change resource name:r0 may_promote:no promotion_score:10102',
        'change connection name:r0 peer-node-id:1 conn-name:peer2 role:Primary',
      ]);
    });

    it('prints create lines for a resource coming up and destroy lines for one going down', () => {
      const snap = resource('Secondary', device('UpToDate'), [connection('Connecting', 'Unknown', 'Off', 'DUnknown')]);
      const created = events2Changes(undefined, snap, { statistics: false });
      expect(created[0]).to.equal('create resource name:r0 role:Secondary suspended:no force-io-failures:no may_promote:yes promotion_score:10101');
      expect(created).to.have.length(5);
      const destroyed = events2Changes(snap, undefined, { statistics: false });
      expect(destroyed.at(-1)).to.equal('destroy resource name:r0');
      expect(destroyed).to.include('destroy device name:r0 volume:0 minor:0');
    });
  });

  describe('promotion score (drbd.md §9.3 worked values)', () => {
    it('gives 10102 connected, 10101 disconnected, 10001 Inconsistent with an UpToDate peer, 1 for a diskless client', () => {
      expect(promotionInfo(resource('Secondary', device('UpToDate'), [connection('Connected', 'Secondary', 'Established', 'UpToDate')])).score).to.equal(10102);
      expect(promotionInfo(resource('Secondary', device('UpToDate'), [connection('Connecting', 'Unknown', 'Off', 'DUnknown')]))).to.deep.equal({
        mayPromote: true,
        score: 10101,
      });
      expect(promotionInfo(resource('Secondary', device('Inconsistent'), [connection('Connected', 'Secondary', 'Established', 'UpToDate')])).score).to.equal(10001);
      expect(promotionInfo(resource('Secondary', device('Diskless', { client: true }), [connection('Connected', 'Secondary', 'Established', 'UpToDate')])).score).to.equal(1);
    });
  });

  describe('status', () => {
    const text = { verbose: false, statistics: false, tty: false, columns: 80 };

    it('prints the pcs#667 sample (peer Primary)', () => {
      const snap = resource('Secondary', device('UpToDate'), [connection('Connected', 'Primary', 'Established', 'UpToDate', { name: 'node1' })], 'r1');
      expect(statusText([snap], text)).to.equal(fixture('status-secondary-peer-primary.txt'));
    });

    it('prints a Connecting peer without its peer devices', () => {
      const snap = resource('Primary', device('UpToDate'), [connection('Connecting', 'Unknown', 'Off', 'DUnknown')]);
      expect(statusText([snap], text)).to.equal(fixture('status-primary-connecting.txt'));
    });

    it('prints the drbd-reactor#1 sample on a tty (no client:)', () => {
      const standalone = (name: string, peerNodeId: number): ConnectionSnap => ({ ...connection('StandAlone', 'Unknown', 'Off', 'DUnknown'), name, peerNodeId });
      const snap = resource('Secondary', device('Diskless', { quorum: false }), [standalone('colo-srv-2', 1), standalone('colo-srv-3', 2)], 'linstor_db');
      expect(statusText([snap], { ...text, tty: true })).to.equal(fixture('status-diskless-standalone-tty.txt'));
    });

    it('wraps --verbose --statistics at 80 columns as the sample', () => {
      const snap = resource('Secondary', device('UpToDate'), [connection('Connected', 'Primary', 'Established', 'UpToDate')]);
      expect(statusText([snap], { ...text, verbose: true, statistics: true })).to.equal(fixture('status-verbose-statistics-secondary-peer-primary.txt'));
    });

    it('says so when nothing is configured', () => {
      expect(statusText([], text)).to.equal(fixture('status-none.txt'));
    });

    it('prints --json in drbd-utils layout', () => {
      const snap = resource('Secondary', device('UpToDate'), [connection('Connected', 'Primary', 'Established', 'UpToDate')]);
      const out = statusJson([snap]);
      expect(out).to.equal(fixture('status-json-secondary-peer-primary.txt'));
      expect(JSON.parse(out)).to.have.nested.property('[0].connections[0].peer_devices[0].percent-in-sync', 100);
      expect(statusJson([])).to.equal(fixture('status-json-none.txt'));
    });
  });

  describe('version and errors', () => {
    it('prints drbdadm --version as measured, with the simulated module version', () => {
      const measured = fixture('drbdadm-version-no-module.txt');
      const out = drbdadmVersion('9.2.5');
      expect(out.split('\n').filter((l) => !l.startsWith('DRBD_KERNEL'))).to.deep.equal(measured.split('\n').filter((l) => !l.startsWith('DRBD_KERNEL')));
      expect(out).to.include('DRBD_KERNEL_VERSION_CODE=0x090205\nDRBD_KERNEL_VERSION=9.2.5\n');
      expect(versionCode('8.4.11')).to.equal(0x08040b);
    });

    it('maps refusals to drbdsetup exit codes and messages (drbd.md §10)', () => {
      expect(exitCodeFor(SS.TWO_PRIMARIES)).to.equal(11);
      expect(errorText('r0', SS.TWO_PRIMARIES)).to.equal('r0: State change failed: (-1) Multiple primaries not allowed by config\n');
      expect(exitCodeFor(SS.NO_UP_TO_DATE_DISK)).to.equal(17);
      expect(errorText('r0', SS.NO_UP_TO_DATE_DISK)).to.equal('r0: State change failed: (-2) Need access to UpToDate data\n');
      expect(exitCodeFor(SS.DEVICE_IN_USE)).to.equal(11);
      expect(exitCodeFor(SS.UNKNOWN_RESOURCE)).to.equal(10);
      expect(errorText('0', SS.MINOR_NOT_ALLOCATED)).to.equal('0: Failure: (127) Device minor not allocated\n');
    });
  });
});
