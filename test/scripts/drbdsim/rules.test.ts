// SPDX-License-Identifier: GPL-2.0-or-later
// DRBD's rules in the simulator (drbd.md §11), and the parsing of drbdadm's dry run.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { parseDryRunUp } from '../../../scripts/drbdsim/config.js';
import { parseAdmArgs } from '../../../scripts/drbdsim/adm-cmds.js';
import { acceptPeerPromotion, checkPromote, diskAfterInSync, handshake, type Side } from '../../../scripts/drbdsim/rules.js';
import { resourceConfText } from '../../../scripts/drbdsim/setup.js';
import { FIXTURES } from './fixtures.js';

const side = (over: Partial<Side>): Side => ({
  nodeId: 0,
  role: 'Secondary',
  disk: 'UpToDate',
  gen: 'A',
  history: [],
  discardMyData: false,
  ...over,
});

describe('drbdsim rules', () => {
  describe('handshake', () => {
    it('keeps equal generations in sync', () => {
      expect(handshake(side({}), side({ nodeId: 1 }))).to.equal('in-sync');
    });

    it('resyncs the side that missed a generation from the one that has it', () => {
      const ahead = side({ gen: 'B', history: ['A'] });
      const behind = side({ nodeId: 1, gen: 'A' });
      expect(handshake(behind, ahead)).to.equal('target');
      expect(handshake(ahead, behind)).to.equal('source');
    });

    it('detects a split brain when both sides started a generation', () => {
      const a = side({ gen: 'B', history: ['A'] });
      const b = side({ nodeId: 1, gen: 'C', history: ['A'] });
      expect(handshake(a, b)).to.equal('split-brain');
      expect(handshake(b, a)).to.equal('split-brain');
    });

    it('lets the side that discards its data become the sync target after a split brain', () => {
      const survivor = side({ role: 'Primary', gen: 'B', history: ['A'] });
      const victim = side({ nodeId: 1, gen: 'C', history: ['A'], discardMyData: true });
      expect(handshake(victim, survivor)).to.equal('target');
      expect(handshake(survivor, victim)).to.equal('source');
    });

    it('refuses to make a Primary a sync target', () => {
      const primary = side({ role: 'Primary', gen: 'A' });
      const ahead = side({ nodeId: 1, gen: 'B', history: ['A'] });
      expect(handshake(primary, ahead)).to.equal('refused');
      expect(handshake(ahead, primary)).to.equal('refused');
    });

    it('syncs Inconsistent data from a peer that has consistent data, and leaves two Inconsistent sides alone', () => {
      expect(handshake(side({ disk: 'Inconsistent', gen: '0' }), side({ nodeId: 1, disk: 'Outdated' }))).to.equal('target');
      expect(handshake(side({ disk: 'Inconsistent', gen: '0' }), side({ nodeId: 1, disk: 'Inconsistent', gen: '0' }))).to.equal('in-sync');
    });

    it('makes Outdated or Consistent data UpToDate next to an equal UpToDate peer', () => {
      expect(diskAfterInSync('Outdated', 'UpToDate')).to.equal('UpToDate');
      expect(diskAfterInSync('Consistent', 'Consistent')).to.equal('UpToDate');
      expect(diskAfterInSync('Outdated', 'Outdated')).to.equal('Outdated');
    });
  });

  describe('promotion', () => {
    const base = { role: 'Secondary' as const, disk: 'UpToDate' as const, force: false, allowTwoPrimaries: false, connectedPeers: [] };

    it('refuses a second Primary while connected (-1, rc 11)', () => {
      expect(checkPromote({ ...base, connectedPeers: [{ role: 'Primary', disk: 'UpToDate' }] })?.code).to.equal(-1);
      expect(checkPromote({ ...base, allowTwoPrimaries: true, connectedPeers: [{ role: 'Primary', disk: 'UpToDate' }] })).to.equal(undefined);
    });

    it('refuses without access to UpToDate data (-2, rc 17) unless forced', () => {
      expect(checkPromote({ ...base, disk: 'Outdated' })?.code).to.equal(-2);
      expect(checkPromote({ ...base, disk: 'Consistent' })?.code).to.equal(-2);
      expect(checkPromote({ ...base, disk: 'Inconsistent', connectedPeers: [{ role: 'Secondary', disk: 'UpToDate' }] })).to.equal(undefined);
      expect(checkPromote({ ...base, disk: 'Inconsistent', force: true })).to.equal(undefined);
    });

    it('lets the lower node id win two simultaneous promotions', () => {
      expect(acceptPeerPromotion({ role: 'Secondary', promoting: true, nodeId: 0 }, 1, false)).to.equal(false);
      expect(acceptPeerPromotion({ role: 'Secondary', promoting: true, nodeId: 1 }, 0, false)).to.equal(true);
      expect(acceptPeerPromotion({ role: 'Primary', promoting: false, nodeId: 1 }, 0, false)).to.equal(false);
    });
  });

  describe('configuration', () => {
    it('reads node id, minor, peer, addresses, options and disk from drbdadm -d up', () => {
      const config = parseDryRunUp('drbddata', readFileSync(path.join(FIXTURES, 'drbdadm-dry-run-up.txt'), 'utf8'), ['/dev/drbd1']);
      expect(config).to.deep.equal({
        name: 'drbddata',
        nodeId: 0,
        volumes: [{ volume: 0, minor: 1, device: '/dev/drbd1', disk: '/dev/loop7', metaDisk: '/dev/loop7' }],
        peers: [
          {
            nodeId: 1,
            name: 'fo2',
            local: { af: 'ipv4', host: '192.168.2.1', port: 7789 },
            remote: { af: 'ipv4', host: '192.168.2.2', port: 7789 },
            options: { _name: 'fo2', fencing: 'resource-only', 'allow-two-primaries': 'no', protocol: 'C' },
          },
        ],
      });
    });

    it('parses drbdadm options around the command', () => {
      const a = parseAdmArgs(['-c', '/etc/drbd.conf', 'adjust', '--skip-net', 'r0']);
      expect(a.config).to.equal('/etc/drbd.conf');
      expect(a.cmd).to.equal('adjust');
      expect(a.targets).to.deep.equal(['r0']);
      expect([...a.flags]).to.deep.equal(['--skip-net']);
      expect(parseAdmArgs(['--config-file=/x.conf', 'primary', '--force', 'r0']).config).to.equal('/x.conf');
      expect(parseAdmArgs(['--peer', 'fo2', 'adjust', 'r0']).bad).to.equal('--peer');
    });

    it('writes a resource file that names every node with its address and disk', () => {
      const text = resourceConfText({
        nodes: [
          { name: 'fo1', address: '192.168.2.1', disk: '/dev/loop7' },
          { name: 'fo2', address: '192.168.2.2', disk: '/dev/loop7' },
        ],
      });
      expect(text).to.include('resource drbddata {');
      expect(text).to.include('device /dev/drbd1 minor 1;');
      expect(text).to.match(/on fo2 \{\n {4}node-id 1;\n {4}address 192\.168\.2\.2:7789;\n {4}disk \/dev\/loop7;/);
    });
  });
});
