// SPDX-License-Identifier: GPL-2.0-or-later
// The simulator's formatters against real drbd-utils output (test/fixtures/drbd/captures): for the state a person
// reads in a capture (test/agents/drbd/capture-readings.ts) the simulator prints the same keys, values and order.
// Only what is run-specific is normalised (minors, node ids, statistics counters, addresses, write ordering);
// names come from the reading. Keys that exist only in an older or newer drbd-utils than the simulated 9.22 are
// allowed per capture, each with its reason.
import { expect } from 'chai';
import {
  drbdadmVersion,
  errorText,
  events2Changes,
  events2Objects,
  exitCodeFor,
  SS,
  statusText,
} from '../../../scripts/drbdsim/format.js';
import type { ConnState, DiskState, ReplState, ResourceSnap, Role, StateError } from '../../../scripts/drbdsim/types.js';
import { CAPTURE_CASES, type CaptureCase, type StateReading } from '../../agents/drbd/capture-readings.js';
import { captureRun, events2Lines, statusOutput, type Run } from '../../agents/drbd/captures.js';

/** The simulator's state for a reading: what the reading says, zeros for what the capture leaves to the run. */
function snapOf(r: StateReading): ResourceSnap {
  return {
    name: r.name,
    nodeId: 0,
    role: r.role as Role,
    suspended: r.suspended,
    forceIoFailures: false,
    writeOrdering: 'flush',
    devices: r.devices.map((d) => ({
      volume: d.volume,
      minor: d.minor ?? 0,
      backingDev: d.disk === 'Diskless' ? 'none' : '/dev/backing',
      disk: d.disk as DiskState,
      client: d.client,
      quorum: d.quorum,
      size: 0, read: 0, written: 0, alWrites: 0, bmWrites: 0, upperPending: 0, lowerPending: 0,
    })),
    connections: r.peers.map((p, index) => ({
      peerNodeId: /^\d+$/.test(p.id) ? Number(p.id) : index + 1,
      name: p.name,
      connection: p.connection as ConnState,
      role: p.role as Role,
      congested: p.congested ?? false,
      apInFlight: 0,
      rsInFlight: 0,
      peerDevices: p.volumes.map((v) => ({
        volume: v.volume,
        replication: v.replication as ReplState,
        peerDisk: v.peerDisk as DiskState,
        peerClient: v.peerClient,
        done: v.done,
        received: 0, sent: 0, outOfSync: 0, pending: 0, unacked: 0,
      })),
      paths: [{ local: 'ipv4:192.0.2.1:7789', peer: 'ipv4:192.0.2.2:7789', established: p.connection === 'Connected' }],
    })),
  };
}

// Values that differ from run to run, not from state to state.
const RUN_SPECIFIC = new Set([
  'minor', 'node-id', 'peer-node-id', 'backing_dev', 'local', 'peer', 'write-ordering',
  'size', 'read', 'written', 'al-writes', 'bm-writes', 'upper-pending', 'lower-pending',
  'received', 'sent', 'out-of-sync', 'pending', 'unacked', 'ap-in-flight', 'rs-in-flight', 'dbdt1', 'eta',
]);

type Field = { key: string; value: string };
const fieldsOf = (words: readonly string[]): Field[] =>
  words.flatMap((w) => {
    const colon = w.indexOf(':');
    if (colon <= 0) return [];
    const key = w.slice(0, colon);
    return [{ key, value: RUN_SPECIFIC.has(key) ? '*' : w.slice(colon + 1) }];
  });

/** Keys one side may have alone: the capture (a newer or older drbd-utils than 9.22) or the simulator. */
type Allowed = { readonly captureOnly?: readonly string[]; readonly simOnly?: readonly string[]; readonly why: string };

// drbd-utils older than 9.22 (2017-2021): no force-io-failures, backing_dev, ...; 9.29+ adds open:.
const NEWER_OPEN: Allowed = { captureOnly: ['open'], why: 'drbd-utils >= 9.29 prints open:' };
const OLDER_9_0: Allowed = { simOnly: ['force-io-failures', 'backing_dev'], why: 'drbd-utils of DRBD 9.0.2x prints no force-io-failures: nor backing_dev:' };
const KERNEL_84: Allowed = {
  captureOnly: ['replication'],
  simOnly: ['node-id', 'force-io-failures', 'backing_dev', 'quorum', 'ap-in-flight', 'rs-in-flight'],
  why: 'an 8.4 module through drbd-utils 9: no node ids, quorum or in-flight counters; replication:Established spelled out',
};
const ALLOWED: Record<string, Allowed> = {
  '10': OLDER_9_0,
  '13': OLDER_9_0,
  '16': NEWER_OPEN,
  '17': NEWER_OPEN,
  '18': KERNEL_84,
  '19': OLDER_9_0,
  '20': KERNEL_84,
  '24': KERNEL_84,
  // The simulator has no resync-suspended state (types.ts PeerDeviceSnap): it prints resync-suspended:no in
  // --verbose only, where drbd-utils prints any suspension (peer, user, dependency) in plain status too.
  '25': { captureOnly: ['resync-suspended'], why: 'simulator gap: no resync-suspended state' },
  '03': {
    simOnly: ['force-io-failures', 'may_promote', 'promotion_score', 'backing_dev', 'peer-node-id', 'quorum', 'peer-client', 'ap-in-flight', 'rs-in-flight'],
    why: 'events2 of 2017-2019',
  },
  '04': { simOnly: ['force-io-failures', 'may_promote', 'promotion_score', 'backing_dev', 'client', 'quorum', 'peer-client'], why: 'events2 of 2017' },
  '06': NEWER_OPEN,
  '07': NEWER_OPEN,
};

/** Both sides' fields after dropping the keys one side may have alone. */
function comparable(capture: Field[], sim: Field[], allowed: Allowed | undefined): [Field[], Field[]] {
  const captureKeys = new Set(capture.map((f) => f.key));
  const simKeys = new Set(sim.map((f) => f.key));
  return [
    capture.filter((f) => simKeys.has(f.key) || !(allowed?.captureOnly ?? []).includes(f.key)),
    sim.filter((f) => captureKeys.has(f.key) || !(allowed?.simOnly ?? []).includes(f.key)),
  ];
}

/** A status text as logical objects (a wrapped line joined to the line it continues): kind, name, fields. */
function statusObjects(text: string): { kind: string; name: string; fields: Field[] }[] {
  const out: { kind: string; name: string; words: string[] }[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const indent = line.length - line.trimStart().length;
    const words = line.trim().split(/\s+/);
    const last = out.at(-1);
    const first = words[0] ?? '';
    if (indent === 0) out.push({ kind: 'resource', name: first, words: words.slice(1) });
    else if (indent === 2 && first.includes(':')) out.push({ kind: 'device', name: '', words });
    else if (indent === 2) out.push({ kind: 'connection', name: first, words: words.slice(1) });
    else if (indent === 4 && last && last.kind !== 'resource') out.push({ kind: 'peer-device', name: '', words });
    else last?.words.push(...words);
  }
  return out.map((o) => ({ kind: o.kind, name: o.name, fields: fieldsOf(o.words) }));
}

/** The paragraph of one resource in a status output. */
function paragraph(text: string, resource: string): string {
  const lines = text.split('\n');
  const start = lines.findIndex((l) => l.split(' ')[0] === resource);
  const end = lines.findIndex((l, i) => i > start && (l.trim() === '' || !l.startsWith(' ')));
  return lines.slice(start, end < 0 ? undefined : end).join('\n');
}

const up = (c: CaptureCase): StateReading => {
  if (c.state === 'down') throw new Error('no state to print');
  return c.state;
};

describe('drbdsim prints what real drbd-utils printed', () => {
  describe('status, field for field', () => {
    for (const c of CAPTURE_CASES) {
      if (c.printed.tool !== 'status') continue;
      const printed = c.printed;
      it(`${c.file.slice(0, 2)} ${c.run || '(whole file)'}${c.part ? ` (output ${c.part + 1})` : ''}: ${c.resource}`, () => {
        const captured = statusObjects(paragraph(statusOutput(captureRun(c.file, c.run), c.resource, c.part), c.resource));
        const simulated = statusObjects(statusText([snapOf(up(c))], { verbose: printed.verbose, statistics: printed.statistics, tty: printed.tty, columns: printed.columns }));
        expect(simulated.map((o) => `${o.kind} ${o.name}`)).to.deep.equal(captured.map((o) => `${o.kind} ${o.name}`));
        captured.forEach((object, i) => {
          const [capture, sim] = comparable(object.fields, simulated[i]!.fields, ALLOWED[c.file.slice(0, 2)]);
          expect(sim, `${object.kind} ${object.name}`).to.deep.equal(capture);
        });
      });
    }
  });

  describe('events2, field for field', () => {
    // The runs that begin with a whole state (--now dumps, `create` batches) and how far that state reaches.
    const dumps = CAPTURE_CASES.filter((c) => c.printed.tool === 'events2' && c.state !== 'down' && (c.file.startsWith('03') || c.at === 'create path'));
    for (const c of dumps) {
      const statistics = c.printed.tool === 'events2' && c.printed.statistics;
      it(`${c.file.slice(0, 2)} ${c.run || '(whole file)'}: the ${c.file.startsWith('03') ? 'exists' : 'create'} lines`, () => {
        const lines = events2Lines(captureRun(c.file, c.run), c.at)
          .map((l) => l.replace(/^\d{4}-\S+ /, ''))
          .filter((l) => /^(exists|create) (resource|connection|device|peer-device|path) /.test(l));
        const action = lines[0]!.startsWith('exists') ? 'exists' : 'create';
        const simulated = events2Objects(snapOf(up(c)), action, { statistics });
        const objectOf = (l: string): string => {
          const f = new Map(l.split(' ').slice(2).map((w) => [w.slice(0, w.indexOf(':')), w.slice(w.indexOf(':') + 1)]));
          return `${l.split(' ')[1]} ${f.get('conn-name') ?? ''} ${f.get('volume') ?? ''}`;
        };
        // 03- and 04- are single lines collected from different places: their order says nothing.
        if (!c.file.startsWith('03') && !c.file.startsWith('04')) expect(simulated.map(objectOf), 'object order').to.deep.equal(lines.map(objectOf));
        for (const l of lines) {
          const sim = simulated.find((s) => objectOf(s) === objectOf(l));
          expect(sim, objectOf(l)).to.not.equal(undefined);
          const [capture, simFields] = comparable(fieldsOf(l.split(' ').slice(2)), fieldsOf(sim!.split(' ').slice(2)), ALLOWED[c.file.slice(0, 2)]);
          expect(simFields, objectOf(l)).to.deep.equal(capture);
        }
      });
    }

    it('07 prints a peer turning Primary as drbd-utils does: may_promote and promotion_score, then the role', () => {
      const c = CAPTURE_CASES.find((x) => x.file.startsWith('07') && x.run === 'may-promote-peer-role')!;
      const after = snapOf(up(c));
      const before: ResourceSnap = { ...after, connections: after.connections.map((conn) => ({ ...conn, role: 'Secondary' })) };
      const captured = captureRun(c.file, c.run).lines.filter((l) => l.trim() !== '').slice(-2);
      expect(events2Changes(before, after, { statistics: false })).to.deep.equal(captured);
    });

    it('07 prints the promotion itself as drbd-utils does: role with may_promote and promotion_score', () => {
      const c = CAPTURE_CASES.find((x) => x.file.startsWith('07') && x.run === 'create-change.msgs | drbdsetup events2; echo' && x.at === undefined)!;
      const after = snapOf(up(c));
      const before: ResourceSnap = { ...after, role: 'Secondary' };
      const captured = captureRun(c.file, c.run).lines.filter((l) => l.trim() !== '').slice(-1);
      expect(events2Changes(before, after, { statistics: false })).to.deep.equal(captured);
    });

    it('06 prints the resync starting as drbd-utils does: replication, peer-disk, peer-client, done', () => {
      const c = CAPTURE_CASES.find((x) => x.file.startsWith('06') && x.run === 'drbdsetup events2; echo' && x.at === undefined)!;
      const after = snapOf(up(c));
      const before: ResourceSnap = {
        ...after,
        connections: after.connections.map((conn) => ({
          ...conn,
          peerDevices: conn.peerDevices.map((p) => ({ ...p, replication: 'Off', peerDisk: 'DUnknown', done: undefined })),
        })),
      };
      const captured = captureRun(c.file, c.run).lines.filter((l) => l.trim() !== '').slice(-1);
      const peerDeviceLines = events2Changes(before, after, { statistics: false }).filter((l) => l.startsWith('change peer-device'));
      expect(peerDeviceLines).to.deep.equal(captured);
    });

    it('orders the fields of every change line as drbd-utils does', () => {
      const streams = [...new Set(CAPTURE_CASES.filter((c) => c.printed.tool === 'events2' && c.state !== 'down' && c.at === undefined && !c.run.includes('--diff')).map((c) => c))];
      for (const c of streams) {
        const statistics = c.printed.tool === 'events2' && c.printed.statistics;
        const full = events2Objects(snapOf(up(c)), 'exists', { statistics });
        for (const l of events2Lines(captureRun(c.file, c.run)).map((x) => x.replace(/^\d{4}-\S+ /, ''))) {
          if (!l.startsWith('change ')) continue;
          const object = l.split(' ')[1]!;
          const sim = full.find((s) => s.split(' ')[1] === object);
          if (!sim) continue; // an object the final state no longer has
          const order = fieldsOf(sim.split(' ').slice(2)).map((f) => f.key);
          const keys = fieldsOf(l.split(' ').slice(2)).map((f) => f.key).filter((k) => k !== 'open' && order.includes(k));
          const positions = keys.map((k) => order.indexOf(k));
          expect(positions, `${c.file.slice(0, 2)} ${c.run}: ${l}`).to.deep.equal([...positions].sort((a, b) => a - b));
          expect(keys.length, `${l}: every key known to the simulator`).to.equal(fieldsOf(l.split(' ').slice(2)).filter((f) => f.key !== 'open').length);
        }
      }
    });
  });

  describe('refusals', () => {
    const F27 = '27-errors-drbd9-state-change-failed-exit11.txt';
    const F28 = '28-errors-drbd8x-exit-codes.txt';
    // [file, run, the object drbdsetup names, the simulator's error]
    const cases: [string, string, string, StateError][] = [
      [F27, 'A: root@m14c40', 'one-vm-6967-disk-0', SS.CW_FAILED_BY_PEER],
      [F27, 'B: journal', 'linstor_db', SS.TWO_PRIMARIES],
      [F28, 'drbdadm secondary r0', '0', SS.MINOR_NOT_ALLOCATED],
      [F28, 'B: drbdadm primary', '0', SS.NO_UP_TO_DATE_DISK],
      [F28, 'C: [adam@data01', '0', SS.TWO_PRIMARIES],
      [F28, 'D: [root@drbd2', '2', SS.PRIMARY_NOP],
      [F28, 'E: drbdadm primary data', '1', SS.NO_UP_TO_DATE_DISK],
    ];
    for (const [file, runTitle, object, error] of cases) {
      it(`${file.slice(0, 2)} ${runTitle}: \`${error.text}\`${file === F28 && runTitle.startsWith('E') ? '' : ' and its exit code'}`, () => {
        const run: Run = captureRun(file, runTitle);
        const said = run.lines.map((l) => l.replace(/^\w{3} \d+ [\d:]+ \S+ [^:]+\[\d+\]: /, '')).filter((l) => l.startsWith(`${object}: `));
        expect(said, 'the line drbdsetup printed').to.deep.equal([errorText(object, error).trimEnd()]);
        const shown = /terminated with exit code (\d+)|status=(\d+)/.exec(run.lines.join('\n'));
        if (shown) expect(exitCodeFor(error)).to.equal(Number(shown[1] ?? shown[2]));
      });
    }
  });

  it('24 prints drbdadm --version with an 8.4 module as drbd-utils 9.28 does (keys and order)', () => {
    const captured = captureRun('24-drbdadm-status-issues-misc.txt', 'drbdadm --version').lines.filter(Boolean);
    const simulated = drbdadmVersion('8.4.11').split('\n').filter(Boolean);
    const keyValue = (l: string): string => (/^(DRBDADM_BUILDTAG|DRBDADM_VERSION_CODE|DRBDADM_VERSION)=/.test(l) ? l.replace(/=.*/, '=*') : l);
    expect(simulated.map(keyValue)).to.deep.equal(captured.map(keyValue));
  });
});
