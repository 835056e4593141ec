// SPDX-License-Identifier: GPL-2.0-or-later
// The agent's parsers against real drbd-utils output (test/fixtures/drbd/captures): every run reads as the
// hand-written reading of capture-readings.ts, with the derived facts, monitor code and promotion score it gives.
import { expect } from 'chai';
import { monitorCode } from '../../../agents/drbd/actions.js';
import { parseEvents2 } from '../../../agents/drbd/events2.js';
import { deriveFacts, type DrbdState, type Facts } from '../../../agents/drbd/model.js';
import { DEFAULT_ADJUST_MASTER_SCORE, decideScoreForState, parseWeights, type ScoreWeights } from '../../../agents/drbd/score.js';
import { parseStatusText } from '../../../agents/drbd/status.js';
import { DRBD_RC, failure } from '../../../agents/drbd/tools.js';
import { formatVersion, parseDrbdadmVersion, parseProcDrbdVersion } from '../../../agents/drbd/version.js';
import type { ExecResult } from '../../../lib/exec.js';
import { formatExitReason } from '../../../lib/ocf/exit-reason.js';
import { CAPTURE_CASES, VERSION_CASES, type CaptureCase, type StateReading } from './capture-readings.js';
import { captureRun, captureRuns, captureSource, events2Lines, runText, statusOutput } from './captures.js';

const weights = ((): ScoreWeights => {
  const parsed = parseWeights(DEFAULT_ADJUST_MASTER_SCORE);
  if (!parsed.ok) throw new Error(parsed.problem);
  return parsed.weights;
})();

function parseCase(c: CaptureCase): DrbdState {
  const run = captureRun(c.file, c.run);
  return c.printed.tool === 'events2'
    ? parseEvents2(events2Lines(run, c.at).join('\n'), c.resource)
    : parseStatusText(statusOutput(run, c.resource, c.part), c.resource);
}

/** The parsed state in the reading's shape; peers by name. */
function readingOf(state: DrbdState): StateReading | 'down' {
  if (!state.up) return 'down';
  const r = state.resource;
  return {
    name: r.name,
    role: r.role,
    suspended: r.suspended,
    ...(r.mayPromote === undefined ? {} : { mayPromote: r.mayPromote }),
    ...(r.promotionScore === undefined ? {} : { promotionScore: r.promotionScore }),
    devices: state.devices.map((d) => ({ volume: d.volume, disk: d.disk, client: d.client, quorum: d.quorum, ...(d.minor === undefined ? {} : { minor: d.minor }) })),
    peers: [...state.connections]
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((c) => ({
        name: c.name,
        id: c.peerNodeId,
        connection: c.connection,
        role: c.peerRole,
        volumes: state.peerDevices
          .filter((p) => p.peerNodeId === c.peerNodeId)
          .map((p) => ({ volume: p.volume, replication: p.replication, peerDisk: p.peerDisk, peerClient: p.peerClient })),
      })),
  };
}

/** The reading without what only the simulator uses (done:, congested). */
function agentView(reading: StateReading | 'down'): StateReading | 'down' {
  if (reading === 'down') return reading;
  return {
    ...reading,
    peers: [...reading.peers]
      .sort((a, b) => a.name.localeCompare(b.name))
      .map(({ congested: _c, ...p }) => ({ ...p, volumes: p.volumes.map(({ done: _d, ...v }) => v) })),
  };
}

const trueFacts = (facts: Facts): string =>
  Object.entries(facts)
    .filter(([, value]) => value)
    .map(([key]) => key)
    .sort()
    .join(' ');

function scoreOf(state: DrbdState): number | 'delete' | 'keep' {
  const decision = decideScoreForState(state, weights);
  return decision.action === 'set' ? decision.score : decision.action;
}

const title = (c: CaptureCase): string =>
  `${c.file.slice(0, 2)} ${c.run || '(whole file)'}${c.at ? ` up to \`${c.at}\`` : ''}${c.part ? ` (output ${c.part + 1})` : ''}: ${c.resource}`;

// Runs that hold no output the agent reads (and why), so that every other run must have a reading.
const NOT_READ: Record<string, string> = {
  'drbdadm role all': 'drbdadm role, not read by the agent',
  'drbdadm cstate r0': 'drbdadm cstate, not read by the agent',
  'drbdadm role r0': 'drbdadm role, not read by the agent',
  'drbdadm role r1': 'drbdadm role, not read by the agent',
  'drbdadm dstate r0': 'drbdadm dstate, not read by the agent',
  'drbdadm dstate r1': 'drbdadm dstate, not read by the agent',
};

describe('drbd parsers on real captures', () => {
  describe('each run reads as a person reads it', () => {
    for (const c of CAPTURE_CASES) {
      it(title(c), () => {
        const state = parseCase(c);
        expect(readingOf(state)).to.deep.equal(agentView(c.state));
        if (state.up) expect(trueFacts(deriveFacts(state))).to.equal((c.facts ?? '').split(' ').filter(Boolean).sort().join(' '));
        expect(monitorCode(state), 'monitor code').to.equal(c.monitor);
        expect(scoreOf(state), 'promotion score').to.equal(c.score);
      });
    }
  });

  describe('kernel and utils versions', () => {
    for (const v of VERSION_CASES) {
      it(`${v.file.slice(0, 2)} ${v.run}: kernel ${v.kernel ?? 'not shown'}`, () => {
        const text = runText(captureRun(v.file, v.run));
        if (v.tool === 'proc') {
          const version = parseProcDrbdVersion(text);
          expect(version && formatVersion(version)).to.equal(v.kernel);
        } else {
          const parsed = parseDrbdadmVersion(text);
          expect(parsed.kernel && formatVersion(parsed.kernel)).to.equal(v.kernel);
          expect(parsed.utils && formatVersion(parsed.utils)).to.equal(v.utils);
        }
      });
    }
  });

  describe('refusals: exit code and reason', () => {
    const F27 = '27-errors-drbd9-state-change-failed-exit11.txt';
    const F28 = '28-errors-drbd8x-exit-codes.txt';
    // [file, run, what drbdsetup said (the kernel's words), the exit code, what the agent makes of it]
    const cases: [string, string, string, number, number | undefined][] = [
      [F27, 'A: root@m14c40', '(-10) State change was refused by peer node', 11, DRBD_RC.STATE_CHANGE_REFUSED],
      [F27, 'B: journal', '(-1) Multiple primaries not allowed by config', 11, DRBD_RC.STATE_CHANGE_REFUSED],
      [F28, 'drbdadm secondary r0', 'Failure: (127) Device minor not allocated', 10, DRBD_RC.KERNEL_ERROR],
      [F28, 'drbdadm connect --discard-my-data r0', 'Failure: (162) Invalid configuration request', 10, DRBD_RC.KERNEL_ERROR],
      [F28, 'B: drbdadm primary', '(-2) Need access to UpToDate data', 17, DRBD_RC.NO_UP_TO_DATE_DATA],
      [F28, 'C: [adam@data01', '(-1) Multiple primaries not allowed by config', 11, DRBD_RC.STATE_CHANGE_REFUSED],
      [F28, 'D: [root@drbd2', '(-7) Refusing to be Primary while peer is not outdated', 11, DRBD_RC.STATE_CHANGE_REFUSED],
    ];
    for (const [file, runTitle, said, exitCode, meaning] of cases) {
      it(`${file.slice(0, 2)} ${runTitle}: rc ${exitCode}, reason names \`${said}\``, () => {
        const run = captureRun(file, runTitle);
        // A journal line carries drbdsetup's stderr after `name[pid]: `; systemd reports the exit status.
        const stderr = run.lines
          .filter((l) => !/ systemd\[\d+\]: /.test(l))
          .map((l) => l.replace(/^\w{3} \d+ [\d:]+ \S+ [^:]+\[\d+\]: /, ''))
          .join('\n');
        const shown = /terminated with exit code (\d+)|status=(\d+)/.exec(run.lines.join('\n'));
        expect(Number(shown?.[1] ?? shown?.[2]), 'exit code in the capture').to.equal(exitCode);
        expect(exitCode, 'DRBD_RC meaning').to.equal(meaning);
        const result: ExecResult = { command: 'drbdadm', exitCode, stdout: '', stderr, ok: false, timedOut: false };
        const reason = failure(result);
        expect(reason).to.include(said);
        expect(reason).to.match(new RegExp(` \\(rc ${exitCode}\\)$`));
        expect(reason).not.to.include("Command '");
        // What Pacemaker keeps of it still names the refusal.
        expect(formatExitReason(reason)).to.include(said);
      });
    }
  });

  describe('the fixtures', () => {
    const files = [...new Set([...CAPTURE_CASES.map((c) => c.file), ...VERSION_CASES.map((v) => v.file), '27-errors-drbd9-state-change-failed-exit11.txt', '28-errors-drbd8x-exit-codes.txt'])];

    it('keep the source of every capture', () => {
      for (const file of files) expect(captureSource(file), file).to.match(/^# source: \S/);
    });

    it('have a reading for every run of every events2 and status capture', () => {
      const read = new Set([...CAPTURE_CASES, ...VERSION_CASES].map((c) => `${c.file}\n${captureRun(c.file, c.run).title}`));
      const statusFiles = new Set(CAPTURE_CASES.map((c) => c.file));
      const unread = [...statusFiles].flatMap((file) =>
        captureRuns(file)
          .filter((run) => !read.has(`${file}\n${run.title}`) && !Object.keys(NOT_READ).some((t) => run.title.endsWith(t)))
          .map((run) => `${file}: ${run.title}`),
      );
      expect(unread).to.deep.equal([]);
    });

    it('have a reading for every resource of every status run', () => {
      const read = new Set(CAPTURE_CASES.map((c) => `${c.file}\n${captureRun(c.file, c.run).title}\n${c.resource}`));
      const unread = [...new Set(CAPTURE_CASES.filter((c) => c.printed.tool === 'status').map((c) => `${c.file}\n${c.run}`))].flatMap((key) => {
        const [file = '', part = ''] = key.split('\n');
        const run = captureRun(file, part);
        const names = run.lines.filter((l) => /^\S+ .*role:/.test(l)).map((l) => l.split(' ')[0]);
        return names.filter((name) => !read.has(`${file}\n${run.title}\n${name}`)).map((name) => `${file}: ${run.title}: ${name}`);
      });
      expect(unread).to.deep.equal([]);
    });
  });
});
