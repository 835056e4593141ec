// SPDX-License-Identifier: GPL-2.0-or-later
// Property tests of the drbd agent's parsers. tools.ts calls them without a try (a throw would end the action as
// "unexpected error", exit 1), so every one must read any text, and what it reads must be a state the agent can
// decide on (facts, monitor code and score computed without a throw, numbers that are numbers).
import { expect } from 'chai';
import fc from 'fast-check';
import { monitorCode } from '../../../agents/drbd/actions.js';
import { Events2Tracker, parseEvents2, parseEvents2Line } from '../../../agents/drbd/events2.js';
import { deriveFacts, type DrbdState } from '../../../agents/drbd/model.js';
import { DEFAULT_ADJUST_MASTER_SCORE, decideScoreForState, parseWeights } from '../../../agents/drbd/score.js';
import { parseShStatus, parseStatusText } from '../../../agents/drbd/status.js';
import { failure, parseLocatePromoted } from '../../../agents/drbd/tools.js';
import { parseDrbdadmVersion, parseProcDrbdVersion, parseVersion } from '../../../agents/drbd/version.js';
import { RUNS, anyText, linesOf } from '../../helpers/hostile-text.js';

const weights = (() => {
  const parsed = parseWeights(DEFAULT_ADJUST_MASTER_SCORE);
  if (!parsed.ok) throw new Error(parsed.problem);
  return parsed.weights;
})();

/** The agent can decide on the state: facts, monitor code and score come out, volumes are volume numbers. */
function decidable(state: DrbdState): void {
  monitorCode(state);
  decideScoreForState(state, weights);
  if (!state.up) return;
  deriveFacts(state);
  for (const d of state.devices) expect(Number.isInteger(d.volume) && d.volume >= 0, `volume ${d.volume}`).to.equal(true);
  for (const p of state.peerDevices) expect(Number.isInteger(p.volume) && p.volume >= 0, `peer volume ${p.volume}`).to.equal(true);
}

const NAME = 'r0';
const EVENTS2_TOKENS = [
  'exists', 'create', 'change', 'destroy', 'call', 'response', 'rename', '-', 'resource', 'connection', 'device', 'peer-device', 'path', 'helper',
  `name:${NAME}`, 'name:r1', 'name:', 'role:Primary', 'role:Secondary', 'role:Unknown', 'role:Secondary->Primary', 'suspended:no', 'may_promote:yes',
  'promotion_score:10102', 'promotion_score:x', 'peer-node-id:1', 'peer-node-id:', 'conn-name:peer2', 'connection:Connected', 'connection:Connecting',
  'volume:0', 'volume:1', 'volume:-1', 'volume:99999999999999999999', 'volume:x', 'minor:0', 'disk:UpToDate', 'disk:Diskless', 'disk:Attaching', 'client:yes',
  'quorum:no', 'replication:Established', 'peer-disk:UpToDate', 'peer-disk:DUnknown', 'peer-client:yes', 'done:37.50', '2026-11-26T01:10:00.000401+00:00',
];
const STATUS_TOKENS = [
  NAME, 'r1', 'peer2', 'node-id:1', 'node-id:', 'role:Primary', 'role:Secondary', 'suspended:no', 'volume:0', 'volume:1', 'volume:x', 'volume:', 'minor:0',
  'disk:UpToDate', 'disk:Diskless', 'client:yes', 'quorum:no', 'connection:Connecting', 'replication:SyncTarget', 'peer-disk:UpToDate', 'peer-client:yes',
  'done:1.00', 'open:yes', '#', 'write-ordering:flush',
];
const SH_TOKENS = ['_minor=0', '_minor=x', `_res_name=${NAME}`, '_volume=0', '_volume=x', '_known=Configured', '_cstate=Connected', '_cstate=SyncTarget', '_role=Primary', '_peer=Secondary', '_disk=UpToDate', '_pdsk=DUnknown', '_flags_susp=1', "_disk='UpToDate' # x"];

describe('drbd agent parsers: property tests', () => {
  it('events2: any text reads as a state the agent can decide on', () => {
    fc.assert(
      fc.property(fc.oneof(anyText, linesOf(EVENTS2_TOKENS)), (text) => {
        decidable(parseEvents2(text, NAME));
        for (const line of text.split('\n')) parseEvents2Line(line);
      }),
      RUNS,
    );
  });

  it('events2: a stream read line by line ends where the whole text ends', () => {
    fc.assert(
      fc.property(linesOf(EVENTS2_TOKENS), (text) => {
        const tracker = new Events2Tracker(NAME);
        for (const line of text.split('\n')) {
          tracker.apply(line);
          decidable(tracker.state());
        }
        expect(tracker.state()).to.deep.equal(parseEvents2(text, NAME));
      }),
      RUNS,
    );
  });

  it('status text: any text reads as a state the agent can decide on', () => {
    fc.assert(fc.property(fc.oneof(anyText, linesOf(STATUS_TOKENS)), (text) => decidable(parseStatusText(text, NAME))), RUNS);
  });

  it('sh-status (8.4): any text reads as a state the agent can decide on', () => {
    fc.assert(fc.property(fc.oneof(anyText, linesOf(SH_TOKENS, '\n')), (text) => decidable(parseShStatus(text, NAME))), RUNS);
  });

  it('versions: any text reads as a version of three numbers or none', () => {
    const versionish = fc.oneof(anyText, linesOf(['DRBD_KERNEL_VERSION_CODE=0x090205', 'DRBD_KERNEL_VERSION_CODE=0xzz', 'DRBDADM_VERSION=9.22.0', 'version:', '8.4.11', '9', '.', 'x'], ''));
    const wellFormed = (v: readonly number[] | undefined): void => {
      if (v === undefined) return;
      expect(v).to.have.length(3);
      for (const n of v) expect(Number.isInteger(n) && n >= 0, String(n)).to.equal(true);
    };
    fc.assert(
      fc.property(versionish, (text) => {
        const adm = parseDrbdadmVersion(text);
        wellFormed(adm.kernel);
        wellFormed(adm.utils);
        wellFormed(parseProcDrbdVersion(text));
        wellFormed(parseVersion(text));
      }),
      RUNS,
    );
  });

  it('crm_resource --locate and failure(): any text, a list of nodes and one line of reason', () => {
    fc.assert(
      fc.property(anyText, anyText, fc.option(fc.integer({ min: 0, max: 255 }), { nil: undefined }), fc.boolean(), (stdout, stderr, exitCode, timedOut) => {
        for (const node of parseLocatePromoted(stdout)) expect(node).to.match(/^\S+$/);
        const reason = failure({ command: 'drbdadm', exitCode, stdout, stderr, ok: false, timedOut });
        expect(reason).to.be.a('string').and.not.equal('');
        expect(reason).not.to.include('\n');
      }),
      RUNS,
    );
  });
});
