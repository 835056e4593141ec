// SPDX-License-Identifier: GPL-2.0-or-later
// The promotion score table of reference drbd.md §7, row by row: the decision table (first match wins) and the
// measured state → monitor rc / crm_master table, replayed from events2 and 8.4 sh-status samples.
import { expect } from 'chai';
import { monitorCode } from '../../../agents/drbd/actions.js';
import { parseEvents2 } from '../../../agents/drbd/events2.js';
import type { Facts } from '../../../agents/drbd/model.js';
import { DEFAULT_ADJUST_MASTER_SCORE, SCORE_TABLE, decideScore, decideScoreForState, parseWeights, type ScoreDecision, type ScoreInput, type ScoreWeights } from '../../../agents/drbd/score.js';
import { parseShStatus } from '../../../agents/drbd/status.js';
import { OcfExit } from '../../../lib/ocf/exit-codes.js';
import { agentFixture, sharedFixture } from './fixtures.js';

const weights = (text = DEFAULT_ADJUST_MASTER_SCORE): ScoreWeights => {
  const parsed = parseWeights(text);
  if (!parsed.ok) throw new Error(parsed.problem);
  return parsed.weights;
};

// A healthy Secondary whose peer is connected and UpToDate; each row changes what it needs.
const base: ScoreInput = {
  primary: false,
  somePeerPrimary: false,
  disklessClient: false,
  allLocalUpToDate: true,
  allLocalConsistent: true,
  transitional: false,
  localDiskFailed: false,
  quorum: true,
  somePeerAllUpToDate: true,
  anyPeerDiskUnknown: false,
  allPeerDisksUpToDate: true,
  allConnected: true,
  removeIfPeerPrimary: false,
};
const notUpToDate: Partial<Facts> = { allLocalUpToDate: false, allLocalConsistent: false };
const summary = (d: ScoreDecision): string => (d.action === 'set' ? `set ${d.score}` : d.action);

describe('drbd promotion score', () => {
  describe('decision table (drbd.md §7), default weights 0 10 1000 10000', () => {
    const rows: [string, Partial<ScoreInput>, string][] = [
      ['any device quorum:no → delete', { quorum: false, primary: true }, 'delete'],
      ['remove_master_score_if_peer_primary applies → delete', { removeIfPeerPrimary: true, somePeerPrimary: true }, 'delete'],
      ['diskless client, Primary with a peer all UpToDate → d−1', { ...notUpToDate, disklessClient: true, primary: true, allPeerDisksUpToDate: false }, 'set 9999'],
      ['diskless client, all peers UpToDate → d−1', { ...notUpToDate, disklessClient: true }, 'set 9999'],
      ['diskless client, some peer UpToDate → c−1', { ...notUpToDate, disklessClient: true, allPeerDisksUpToDate: false }, 'set 999'],
      ['diskless client without UpToDate peer → delete', { ...notUpToDate, disklessClient: true, somePeerAllUpToDate: false, allPeerDisksUpToDate: false }, 'delete'],
      ['local UpToDate, Primary → d', { primary: true, anyPeerDiskUnknown: true, allPeerDisksUpToDate: false, somePeerAllUpToDate: false }, 'set 10000'],
      ['local UpToDate, Secondary, a peer disk DUnknown → c', { anyPeerDiskUnknown: true, allPeerDisksUpToDate: false, somePeerAllUpToDate: false }, 'set 1000'],
      ['local UpToDate, Secondary, all peer disks known (peer Inconsistent during SyncSource) → d', { allPeerDisksUpToDate: false, somePeerAllUpToDate: false }, 'set 10000'],
      ['local not UpToDate, some peer all UpToDate → b', { ...notUpToDate }, 'set 10'],
      ['transitional (Attaching/Negotiating) → unchanged', { ...notUpToDate, transitional: true, somePeerAllUpToDate: false, allPeerDisksUpToDate: false, anyPeerDiskUnknown: true }, 'keep'],
      ['all local Consistent → a = 0 → delete', { allLocalUpToDate: false, somePeerAllUpToDate: false, allPeerDisksUpToDate: false, anyPeerDiskUnknown: true }, 'delete'],
      ['otherwise (Inconsistent/Outdated/Diskless/Failed without UpToDate peer) → delete', { ...notUpToDate, somePeerAllUpToDate: false, allPeerDisksUpToDate: false, anyPeerDiskUnknown: true }, 'delete'],
    ];
    for (const [title, change, expected] of rows) {
      it(title, () => {
        expect(summary(decideScore({ ...base, ...change }, weights()))).to.equal(expected);
      });
    }

    it('has one rule per row of the reference table, in its order', () => {
      expect(SCORE_TABLE).to.have.length(12);
      expect(SCORE_TABLE[0]?.rule).to.match(/quorum/);
      expect(SCORE_TABLE.at(-1)?.rule).to.match(/no access/);
    });

    it('uses adjust_master_score: a positive first weight promotes a Consistent-only node (complaint 5)', () => {
      const consistent = { ...base, allLocalUpToDate: false, somePeerAllUpToDate: false, allPeerDisksUpToDate: false, anyPeerDiskUnknown: true };
      expect(summary(decideScore(consistent, weights('5 10 1000 10000')))).to.equal('set 5');
      expect(summary(decideScore({ ...base, primary: true }, weights('1 2 3 4')))).to.equal('set 4');
    });
  });

  describe('adjust_master_score', () => {
    it('accepts four non-decreasing integers and refuses anything else', () => {
      expect(weights('0 10 1000 10000')).to.deep.equal({ onlyConsistent: 0, onlyRemote: 10, localOk: 1000, asGoodAsItGets: 10000 });
      for (const bad of ['0 10 1000', '0 10 1000 x', '10 0 1000 10000', '']) {
        expect(parseWeights(bad).ok, bad).to.equal(false);
      }
    });
  });

  describe('measured states (drbd.md §7) → monitor rc and score', () => {
    const rows: [string, string, number, string][] = [
      ['Primary, Connected, peer Secondary, UpToDate/UpToDate', 'events2-now-primary-connected.txt', OcfExit.RUNNING_PROMOTED, 'set 10000'],
      ['Secondary, Connected, peer Primary, UpToDate/UpToDate', 'events2-now-secondary-peer-primary.txt', OcfExit.SUCCESS, 'set 10000'],
      ['Secondary, Connecting, UpToDate, peer DUnknown', 'events2-now-secondary-connecting.txt', OcfExit.SUCCESS, 'set 1000'],
      ['Primary, Connecting, UpToDate, peer DUnknown', 'events2-now-primary-connecting.txt', OcfExit.RUNNING_PROMOTED, 'set 10000'],
      ['Secondary, Connecting, Consistent, peer DUnknown', 'events2-now-consistent-connecting.txt', OcfExit.SUCCESS, 'delete'],
      ['Secondary, Connected, peer Primary, Outdated', 'events2-now-outdated-peer-primary.txt', OcfExit.SUCCESS, 'set 10'],
      ['Secondary, SyncTarget, Inconsistent, peer UpToDate', 'events2-now-synctarget-peer-primary.txt', OcfExit.SUCCESS, 'set 10'],
      ['Secondary, Connecting, Outdated, peer DUnknown', 'events2-now-outdated-connecting.txt', OcfExit.SUCCESS, 'delete'],
      ['Secondary, UpToDate, quorum:no', 'events2-now-quorum-lost.txt', OcfExit.SUCCESS, 'delete'],
      // drbd-utils 9.22 sets 1000 here (an Attaching disk counted as UpToDate); the score is left alone instead.
      ['Secondary, Attaching, peer DUnknown (linbit bug fixed: unchanged)', 'events2-now-attaching.txt', OcfExit.SUCCESS, 'keep'],
      ['only `exists -` (down)', 'events2-now-not-up.txt', OcfExit.NOT_RUNNING, 'delete'],
      ['diskless client, peer Primary UpToDate', 'events2-now-diskless-client-peer-primary.txt', OcfExit.SUCCESS, 'set 9999'],
      ['Primary, SyncSource, peer Inconsistent', 'events2-now-syncsource-primary.txt', OcfExit.RUNNING_PROMOTED, 'set 10000'],
      ['Primary, StandAlone', 'events2-now-standalone-primary.txt', OcfExit.RUNNING_PROMOTED, 'set 10000'],
    ];
    for (const [title, file, rc, score] of rows) {
      it(`${title} → rc ${rc}, ${score}`, () => {
        const state = parseEvents2(sharedFixture(file), 'r0');
        expect(monitorCode(state)).to.equal(rc);
        expect(summary(decideScoreForState(state, weights()))).to.equal(score);
      });
    }

    it('Primary with a Failed disk → rc 9 (FAILED_PROMOTED), score of a node that only has remote data', () => {
      const state = parseEvents2(agentFixture('events2-now-primary-failed-disk.txt'), 'r0');
      expect(monitorCode(state)).to.equal(OcfExit.FAILED_PROMOTED);
      expect(summary(decideScoreForState(state, weights()))).to.equal('set 10');
    });

    it('remove_master_score_if_peer_primary drops the score of a Secondary next to a healthy Primary', () => {
      const state = parseEvents2(sharedFixture('events2-now-secondary-peer-primary.txt'), 'r0');
      expect(summary(decideScoreForState(state, weights(), true))).to.equal('delete');
      const primary = parseEvents2(sharedFixture('events2-now-primary-connected.txt'), 'r0');
      expect(summary(decideScoreForState(primary, weights(), true))).to.equal('set 10000');
    });
  });

  describe('DRBD 8.4 sh-status gives the same results', () => {
    const rows: [string, number, string][] = [
      ['sh-status-84-primary-connected.txt', OcfExit.RUNNING_PROMOTED, 'set 10000'],
      ['sh-status-84-secondary-wfconnection.txt', OcfExit.SUCCESS, 'set 1000'],
      ['sh-status-84-synctarget.txt', OcfExit.SUCCESS, 'set 10'],
      ['sh-status-84-unconfigured.txt', OcfExit.NOT_RUNNING, 'delete'],
    ];
    for (const [file, rc, score] of rows) {
      it(`${file} → rc ${rc}, ${score}`, () => {
        const state = parseShStatus(agentFixture(file), 'drbddata');
        expect(monitorCode(state)).to.equal(rc);
        expect(summary(decideScoreForState(state, weights()))).to.equal(score);
      });
    }
  });
});
