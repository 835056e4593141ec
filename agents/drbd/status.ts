// SPDX-License-Identifier: GPL-2.0-or-later
// The other two ways drbd-utils reports a resource's state (reference drbd.md §9.4, §9.9):
// - `drbdsetup status RES [--verbose]` (DRBD 9 text, wrapped at 80 columns when not on a tty);
// - `drbdsetup sh-status RES` (DRBD 8.4, shell assignments per minor), which the 9.x utils run for an 8.4 module.
import type { ConnectionState, DeviceState, DrbdState, PeerDeviceState } from './model.js';

type Fields = Map<string, string>;

/** `key:value` words into a map (status and events2 lines share the form). */
export function addFields(target: Fields, words: readonly string[]): void {
  for (const word of words) {
    const colon = word.indexOf(':');
    if (colon > 0) target.set(word.slice(0, colon), word.slice(colon + 1));
  }
}

/** A count or index as drbd-utils prints it (digits only), or undefined for anything else. */
export const int = (value: string | undefined): number | undefined => {
  if (value === undefined || !/^\d+$/.test(value)) return undefined;
  return Number(value);
};

type Node = { kind: 'resource' | 'device' | 'connection' | 'peer-device'; label: string; fields: Fields; parent?: Node };

/**
 * Parses the text status of one resource. Non-verbose output leaves out what is "normal": a connection shows
 * `connection:` only when not Connected, `peer-disk:` is absent when unknown, `quorum:` only when lost.
 */
export function parseStatusText(text: string, name: string): DrbdState {
  const nodes: Node[] = [];
  let inResource = false;
  let last: Node | undefined;
  let lastConnection: Node | undefined;
  for (const line of text.split('\n')) {
    if (line.trim() === '') {
      inResource = false; // a blank line ends each resource's paragraph
      continue;
    }
    if (line.startsWith('#')) continue;
    const indent = line.length - line.trimStart().length;
    const words = line.trim().split(/\s+/);
    if (indent === 0) {
      inResource = words[0] === name;
      if (inResource) {
        last = { kind: 'resource', label: name, fields: new Map() };
        addFields(last.fields, words.slice(1));
        nodes.push(last);
      }
      continue;
    }
    if (!inResource || !last) continue;
    const first = words[0] ?? '';
    // Plain status prints a single volume 0 without volume: and then wraps its device line at indent 2 and its
    // peer-device line at indent 4, the indents they start at (drbd-utils does so): there, only the first field
    // a device or peer device line can start with begins a new one; another field continues the line before.
    const continues = (kind: Node['kind'], starts: RegExp): boolean => last?.kind === kind && first.includes(':') && !starts.test(first);
    if ((indent === 2 && continues('device', /^(volume|disk):/)) || (indent === 4 && continues('peer-device', /^(volume|replication|peer-disk):/))) {
      addFields(last.fields, words);
    } else if (indent === 2) {
      const isDevice = first.includes(':');
      last = isDevice
        ? { kind: 'device', label: '', fields: new Map() }
        : { kind: 'connection', label: first, fields: new Map() };
      addFields(last.fields, isDevice ? words : words.slice(1));
      if (!isDevice) lastConnection = last;
      nodes.push(last);
    } else if (indent === 4 && last.kind === 'resource') {
      addFields(last.fields, words); // continuation of the resource line
    } else if (indent === 4 && lastConnection) {
      last = { kind: 'peer-device', label: '', fields: new Map(), parent: lastConnection };
      addFields(last.fields, words);
      nodes.push(last);
    } else {
      addFields(last.fields, words); // continuation (6 for devices and connections, 8 for peer devices)
    }
  }
  const resource = nodes.find((n) => n.kind === 'resource');
  if (!resource) return { up: false };
  const connections: ConnectionState[] = [];
  const devices: DeviceState[] = [];
  const peerDevices: PeerDeviceState[] = [];
  const ids = new Map<Node, string>();
  for (const node of nodes) {
    const f = node.fields;
    if (node.kind === 'device') {
      devices.push({
        volume: int(f.get('volume')) ?? 0,
        minor: int(f.get('minor')),
        disk: f.get('disk') ?? 'Diskless',
        client: f.get('client') === 'yes',
        quorum: f.get('quorum') !== 'no',
      });
    } else if (node.kind === 'connection') {
      const id = f.get('node-id') ?? node.label;
      ids.set(node, id);
      connections.push({ peerNodeId: id, name: node.label, connection: f.get('connection') ?? 'Connected', peerRole: f.get('role') ?? 'Unknown' });
    }
  }
  for (const node of nodes) {
    if (node.kind !== 'peer-device' || !node.parent) continue;
    const f = node.fields;
    // Plain status leaves out replication when it is Off or Established: only a connected peer can be Established.
    const connected = (node.parent.fields.get('connection') ?? 'Connected') === 'Connected';
    peerDevices.push({
      peerNodeId: ids.get(node.parent) ?? node.parent.label,
      volume: int(f.get('volume')) ?? 0,
      replication: f.get('replication') ?? (connected ? 'Established' : 'Off'),
      peerDisk: f.get('peer-disk') ?? 'DUnknown',
      peerClient: f.get('peer-client') === 'yes',
    });
  }
  // A connection without a peer-device line has replication Off and an unknown peer disk.
  for (const c of connections) {
    if (peerDevices.some((pd) => pd.peerNodeId === c.peerNodeId)) continue;
    for (const d of devices) peerDevices.push({ peerNodeId: c.peerNodeId, volume: d.volume, replication: 'Off', peerDisk: 'DUnknown', peerClient: false });
  }
  const rf = resource.fields;
  return {
    up: true,
    resource: { name, role: rf.get('role') ?? 'Unknown', suspended: rf.get('suspended') ?? 'no', mayPromote: undefined, promotionScore: undefined },
    connections,
    devices,
    peerDevices,
  };
}

// 8.4 connection states that mean "connected" (replication states folded into cs:).
const CONNECTED_84 = new Set([
  'Connected', 'StartingSyncS', 'StartingSyncT', 'WFBitMapS', 'WFBitMapT', 'WFSyncUUID', 'SyncSource', 'SyncTarget',
  'PausedSyncS', 'PausedSyncT', 'VerifyS', 'VerifyT', 'Ahead', 'Behind',
]);

/**
 * Parses `drbdsetup sh-status RES` of the 8.4 utils: one block of `_name=value` lines per minor. An 8.4 resource
 * has one peer, here peer-node-id `peer`; `_cstate` is split into DRBD 9's connection and replication states.
 */
export function parseShStatus(text: string, name: string): DrbdState {
  const blocks: Map<string, string>[] = [];
  let current: Map<string, string> | undefined;
  for (const raw of text.split('\n')) {
    const match = /^_([a-z_]+)=(.*)$/.exec(raw.trim());
    if (!match) continue;
    const [, key = '', rawValue = ''] = match;
    if (key === 'minor') {
      current = new Map();
      blocks.push(current);
    }
    current?.set(key, rawValue.replace(/\s*#.*$/, '').replace(/^'(.*)'$/, '$1'));
  }
  const mine = blocks.filter((b) => (b.get('res_name') ?? name) === name && b.get('known') === 'Configured' && b.get('cstate') !== 'Unconfigured');
  if (mine.length === 0) return { up: false };
  const first = mine[0]!;
  const cstate = first.get('cstate') ?? 'StandAlone';
  const connected = CONNECTED_84.has(cstate);
  const peerRole = first.get('peer') || 'Unknown';
  return {
    up: true,
    resource: { name, role: first.get('role') || 'Unknown', suspended: first.get('flags_susp') === '1' ? 'user' : 'no', mayPromote: undefined, promotionScore: undefined },
    connections: [{ peerNodeId: 'peer', name: 'peer', connection: connected ? 'Connected' : cstate, peerRole }],
    devices: mine.map((b) => ({
      volume: int(b.get('volume')) ?? 0,
      minor: int(b.get('minor')),
      disk: b.get('disk') || 'Diskless',
      client: false,
      quorum: true,
    })),
    peerDevices: mine.map((b) => ({
      peerNodeId: 'peer',
      volume: int(b.get('volume')) ?? 0,
      replication: connected ? (cstate === 'Connected' ? 'Established' : cstate) : 'Off',
      peerDisk: b.get('pdsk') || 'DUnknown',
      peerClient: false,
    })),
  };
}
