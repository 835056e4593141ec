// SPDX-License-Identifier: GPL-2.0-or-later
// ocf:tsha:drbd's parsers against drbd-utils 9.22 output (test/fixtures/drbd, test/fixtures/drbd-agent).
import { expect } from 'chai';
import { Events2Tracker, parseEvents2, parseEvents2Line } from '../../../agents/drbd/events2.js';
import { connectedAndSettled, deriveFacts, disksSettled, type DrbdState } from '../../../agents/drbd/model.js';
import { parseShStatus, parseStatusText } from '../../../agents/drbd/status.js';
import { parseLocatePromoted } from '../../../agents/drbd/tools.js';
import { compareVersions, parseDrbdadmVersion, parseProcDrbdVersion, parseVersion } from '../../../agents/drbd/version.js';
import { agentFixture, sharedFixture } from './fixtures.js';

type Up = Extract<DrbdState, { up: true }>;
function up(state: DrbdState): Up {
  expect(state.up, 'resource up').to.equal(true);
  return state as Up;
}

describe('drbd agent parsers', () => {
  describe('events2 --now', () => {
    it('reads the reference sample: Secondary, peer Primary, both UpToDate', () => {
      const state = up(parseEvents2(sharedFixture('events2-now-secondary-peer-primary.txt'), 'r0'));
      expect(state.resource).to.deep.equal({ name: 'r0', role: 'Secondary', suspended: 'no', mayPromote: false, promotionScore: 10102 });
      expect(state.connections).to.deep.equal([{ peerNodeId: '1', name: 'peer2', connection: 'Connected', peerRole: 'Primary' }]);
      expect(state.devices).to.deep.equal([{ volume: 0, minor: 0, disk: 'UpToDate', client: false, quorum: true }]);
      expect(state.peerDevices).to.deep.equal([{ peerNodeId: '1', volume: 0, replication: 'Established', peerDisk: 'UpToDate', peerClient: false }]);
    });

    it('reads the same state from the --statistics variant', () => {
      const plain = parseEvents2(sharedFixture('events2-now-secondary-peer-primary.txt'), 'r0');
      expect(parseEvents2(sharedFixture('events2-now-statistics-secondary-peer-primary.txt'), 'r0')).to.deep.equal(plain);
    });

    it('reads a resource that is not up (only `exists -`) as down', () => {
      expect(parseEvents2(sharedFixture('events2-now-not-up.txt'), 'r0')).to.deep.equal({ up: false });
    });

    it('reads another resource name as down', () => {
      expect(parseEvents2(sharedFixture('events2-now-primary-connected.txt'), 'r1')).to.deep.equal({ up: false });
    });

    it('does not depend on object order (volumes in reverse kernel order)', () => {
      const state = up(parseEvents2(agentFixture('events2-now-two-volumes-reversed.txt'), 'r0'));
      expect(state.devices.map((d) => [d.volume, d.minor])).to.deep.equal([[0, 10], [1, 11]]);
      expect(state.peerDevices.map((p) => p.peerDisk)).to.deep.equal(['UpToDate', 'Outdated']);
      const facts = deriveFacts(state);
      expect(facts.allLocalUpToDate).to.equal(true);
      expect(facts.somePeerAllUpToDate).to.equal(false);
      expect(facts.anyPeerDiskUnknown).to.equal(false);
    });

    it('marks an intentional diskless client and a failed disk', () => {
      const client = deriveFacts(up(parseEvents2(sharedFixture('events2-now-diskless-client-peer-primary.txt'), 'r0')));
      expect(client.disklessClient).to.equal(true);
      expect(client.localDiskFailed).to.equal(false);
      const failed = deriveFacts(up(parseEvents2(agentFixture('events2-now-primary-failed-disk.txt'), 'r0')));
      expect(failed.primary).to.equal(true);
      expect(failed.localDiskFailed).to.equal(true);
    });

    it('splits a line into action, object and fields, dropping a --timestamps prefix', () => {
      const line = parseEvents2Line('2026-11-26T01:10:00.000401+00:00 change device name:r0 volume:0 disk:Attaching');
      expect(line?.action).to.equal('change');
      expect(line?.object).to.equal('device');
      expect(Object.fromEntries(line?.fields ?? [])).to.deep.equal({ name: 'r0', volume: '0', disk: 'Attaching' });
      expect(parseEvents2Line('   ')).to.equal(undefined);
    });
  });

  describe('events2 stream', () => {
    it('follows a resource coming up and connecting, line by line', () => {
      const tracker = new Events2Tracker('r0');
      const seen: string[] = [];
      for (const line of agentFixture('events2-stream-up-then-connect.txt').split('\n')) {
        tracker.apply(line);
        const state = tracker.state();
        const label = !state.up ? 'down' : state.devices.length === 0 ? 'no device' : connectedAndSettled(state) ? 'connected' : disksSettled(state) ? 'settled' : 'attaching';
        if (seen.at(-1) !== label) seen.push(label);
      }
      expect(tracker.complete).to.equal(true);
      // Diskless before the attach is a final state too (what a failed attach leaves): start watches only after
      // `drbdadm up` has returned, when the attach is over.
      expect(seen).to.deep.equal(['down', 'no device', 'settled', 'attaching', 'settled', 'connected']);
      const final = up(tracker.state());
      expect(final.resource.mayPromote).to.equal(true);
      expect(final.resource.promotionScore).to.equal(10102);
      expect(final.connections[0]?.peerRole).to.equal('Secondary');
      expect(final.devices[0]?.disk).to.equal('UpToDate');
    });

    it('ignores other resources and honours destroy', () => {
      const tracker = new Events2Tracker('r0');
      const lines = agentFixture('events2-stream-other-resource-and-destroy.txt').split('\n');
      for (const line of lines.slice(0, 6)) tracker.apply(line);
      expect(up(tracker.state()).resource.role).to.equal('Secondary');
      tracker.apply(lines[6]!);
      expect(up(tracker.state()).devices).to.deep.equal([]);
      tracker.apply(lines[7]!);
      expect(tracker.state()).to.deep.equal({ up: false });
    });
  });

  describe('status (text)', () => {
    it('reads the pcs#667 sample: Secondary, peer Primary', () => {
      const status = up(parseStatusText(sharedFixture('status-secondary-peer-primary.txt'), 'r1'));
      expect(status.resource.role).to.equal('Secondary');
      expect(status.connections).to.deep.equal([{ peerNodeId: 'node1', name: 'node1', connection: 'Connected', peerRole: 'Primary' }]);
      expect(status.devices).to.deep.equal([{ volume: 0, minor: undefined, disk: 'UpToDate', client: false, quorum: true }]);
      expect(status.peerDevices[0]?.peerDisk).to.equal('UpToDate');
    });

    it('reads a connecting Primary; the missing peer-device line means an unknown peer disk', () => {
      const status = up(parseStatusText(sharedFixture('status-primary-connecting.txt'), 'r0'));
      expect(status.resource.role).to.equal('Primary');
      expect(status.connections[0]?.connection).to.equal('Connecting');
      expect(status.peerDevices).to.deep.equal([{ peerNodeId: 'peer2', volume: 0, replication: 'Off', peerDisk: 'DUnknown', peerClient: false }]);
    });

    it('reads the wrapped --verbose --statistics layout like events2', () => {
      const status = up(parseStatusText(sharedFixture('status-verbose-statistics-secondary-peer-primary.txt'), 'r0'));
      const events = up(parseEvents2(sharedFixture('events2-now-secondary-peer-primary.txt'), 'r0'));
      expect(status.resource.role).to.equal(events.resource.role);
      expect(status.connections).to.deep.equal(events.connections);
      expect(status.devices).to.deep.equal(events.devices);
      expect(status.peerDevices).to.deep.equal(events.peerDevices);
    });

    it('reads lost quorum and StandAlone peers', () => {
      const status = up(parseStatusText(sharedFixture('status-diskless-standalone-tty.txt'), 'linstor_db'));
      expect(status.devices[0]?.quorum).to.equal(false);
      expect(status.connections.map((c) => c.connection)).to.deep.equal(['StandAlone', 'StandAlone']);
      expect(deriveFacts(status).quorum).to.equal(false);
    });

    it('picks its resource out of several, with volumes', () => {
      const r1 = up(parseStatusText(agentFixture('status-two-resources.txt'), 'r1'));
      expect(r1.devices.map((d) => `${d.volume}:${d.disk}`)).to.deep.equal(['0:UpToDate', '1:Outdated']);
      expect(r1.peerDevices.map((p) => `${p.volume}:${p.replication}:${p.peerDisk}`)).to.deep.equal([
        '0:Established:UpToDate',
        '1:SyncSource:Inconsistent',
      ]);
      expect(up(parseStatusText(agentFixture('status-two-resources.txt'), 'r0')).connections[0]?.connection).to.equal('Connecting');
    });

    it('reads "no resource" output as down', () => {
      expect(parseStatusText(sharedFixture('status-none.txt'), 'r0')).to.deep.equal({ up: false });
    });
  });

  describe('sh-status (DRBD 8.4)', () => {
    it('reads a connected Primary', () => {
      const state = up(parseShStatus(agentFixture('sh-status-84-primary-connected.txt'), 'drbddata'));
      expect(state.resource.role).to.equal('Primary');
      expect(state.devices).to.deep.equal([{ volume: 0, minor: 1, disk: 'UpToDate', client: false, quorum: true }]);
      expect(state.connections).to.deep.equal([{ peerNodeId: 'peer', name: 'peer', connection: 'Connected', peerRole: 'Secondary' }]);
    });

    it('maps WFConnection to a waiting connection with an unknown peer disk', () => {
      const state = up(parseShStatus(agentFixture('sh-status-84-secondary-wfconnection.txt'), 'drbddata'));
      expect(state.connections[0]?.connection).to.equal('WFConnection');
      expect(deriveFacts(state).anyPeerDiskUnknown).to.equal(true);
    });

    it('folds SyncTarget into a connected connection with replication SyncTarget', () => {
      const state = up(parseShStatus(agentFixture('sh-status-84-synctarget.txt'), 'drbddata'));
      expect(state.connections[0]?.connection).to.equal('Connected');
      expect(state.peerDevices[0]?.replication).to.equal('SyncTarget');
    });

    it('reads an unconfigured minor as down', () => {
      expect(parseShStatus(agentFixture('sh-status-84-unconfigured.txt'), 'drbddata')).to.deep.equal({ up: false });
    });
  });

  describe('versions', () => {
    it('reads drbdadm --version without a module as no kernel', () => {
      expect(parseDrbdadmVersion(sharedFixture('drbdadm-version-no-module.txt'))).to.deep.equal({ utils: [9, 22, 0], kernel: undefined });
    });

    it('decodes the kernel version code of a loaded module', () => {
      expect(parseDrbdadmVersion(agentFixture('drbdadm-version-module-9.txt')).kernel).to.deep.equal([9, 2, 6]);
      expect(parseDrbdadmVersion(agentFixture('drbdadm-version-module-84.txt')).kernel).to.deep.equal([8, 4, 11]);
    });

    it('reads the /proc/drbd version line and compares versions', () => {
      expect(parseProcDrbdVersion(sharedFixture('proc-drbd-84-wfconnection.txt'))).to.deep.equal([8, 4, 6]);
      expect(parseVersion('9.2.6-1')).to.deep.equal([9, 2, 6]);
      expect(parseVersion('10.0')).to.deep.equal([10, 0, 0]);
      expect(parseVersion('nine')).to.equal(undefined);
      expect(compareVersions([8, 4, 11], [9, 0, 0])).to.be.below(0);
      expect(compareVersions([9, 2, 6], [9, 2, 6])).to.equal(0);
    });
  });

  describe('crm_resource --locate', () => {
    it('finds the Promoted node in Pacemaker 2.1 and in legacy wording', () => {
      expect(parseLocatePromoted(agentFixture('crm-resource-locate-promoted.txt'))).to.deep.equal(['fo2.home.dom']);
      expect(parseLocatePromoted(agentFixture('crm-resource-locate-master.txt'))).to.deep.equal(['fo2.home.dom']);
      expect(parseLocatePromoted('resource ClusterDrbd is running on: fo1.home.dom \n')).to.deep.equal([]);
    });
  });
});
