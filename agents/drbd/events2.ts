// SPDX-License-Identifier: GPL-2.0-or-later
// `drbdsetup events2 [--now] RES` (DRBD 9; reference drbd.md §9.2): `<action> <object> key:value ...` lines.
// --now dumps the state as `exists` lines and ends with `exists -`; without it the stream goes on with
// create/change/destroy lines. Object order is not guaranteed, so everything is keyed, never positional.
import type { ConnectionState, DeviceState, DrbdState, PeerDeviceState, ResourceState } from './model.js';
import { addFields, int } from './status.js';

export type Events2Line = {
  readonly action: string;
  readonly object: string;
  readonly fields: ReadonlyMap<string, string>;
};

const TIMESTAMP = /^\d{4}-\d\d-\d\dT\S+\s+/;

/**
 * One line; undefined for blank or malformed lines. A `--timestamps` prefix is dropped, and of a `--diff`
 * value (`role:Secondary->Primary`) the new value is kept.
 */
export function parseEvents2Line(raw: string): Events2Line | undefined {
  const words = raw.replace(TIMESTAMP, '').trim().split(/\s+/).filter(Boolean);
  const [action, object, ...rest] = words;
  if (!action || !object) return undefined;
  const fields = new Map<string, string>();
  addFields(fields, rest);
  for (const [key, value] of fields) {
    const arrow = value.lastIndexOf('->');
    if (arrow >= 0) fields.set(key, value.slice(arrow + 2));
  }
  return { action, object, fields };
}

/** The peer a connection or peer-device line is about; lines of early DRBD 9.0 carry no peer-node-id. */
const peerOf = (f: ReadonlyMap<string, string>): string => f.get('peer-node-id') ?? f.get('conn-name') ?? '';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

const yes = (value: string | undefined): boolean | undefined => (value === undefined ? undefined : value === 'yes');

/**
 * The state of one resource, built from events2 lines as they arrive (both the --now dump and the stream).
 * `complete` turns true at `exists -`: from then on `state()` is the whole truth.
 */
export class Events2Tracker {
  complete = false;
  private resource: Mutable<ResourceState> | undefined;
  private readonly connections = new Map<string, Mutable<ConnectionState>>();
  private readonly devices = new Map<number, Mutable<DeviceState>>();
  private readonly peerDevices = new Map<string, Mutable<PeerDeviceState>>();

  constructor(readonly name: string) {}

  /** Applies one line; returns true when it changed what the tracker knows. */
  apply(raw: string): boolean {
    const line = parseEvents2Line(raw);
    if (!line) return false;
    if (line.object === '-') {
      this.complete = true;
      return true;
    }
    if (line.fields.get('name') !== this.name) return false;
    if (line.action === 'call' || line.action === 'response' || line.action === 'rename') return false;
    const f = line.fields;
    const removing = line.action === 'destroy';
    switch (line.object) {
      case 'resource':
        if (removing) {
          this.resource = undefined;
          this.connections.clear();
          this.devices.clear();
          this.peerDevices.clear();
        } else {
          const old = this.resource;
          const promote = f.get('may_promote');
          this.resource = {
            name: this.name,
            role: f.get('role') ?? old?.role ?? 'Unknown',
            suspended: f.get('suspended') ?? old?.suspended ?? 'no',
            mayPromote: promote === undefined ? old?.mayPromote : promote === 'yes',
            promotionScore: int(f.get('promotion_score')) ?? old?.promotionScore,
          };
        }
        return true;
      case 'connection': {
        const id = peerOf(f);
        if (removing) {
          this.connections.delete(id);
          for (const key of [...this.peerDevices.keys()]) if (key.startsWith(`${id}/`)) this.peerDevices.delete(key);
          return true;
        }
        const old = this.connections.get(id);
        this.connections.set(id, {
          peerNodeId: id,
          name: f.get('conn-name') ?? old?.name ?? id,
          connection: f.get('connection') ?? old?.connection ?? 'StandAlone',
          peerRole: f.get('role') ?? old?.peerRole ?? 'Unknown',
        });
        return true;
      }
      case 'device': {
        const volume = int(f.get('volume')) ?? 0;
        if (removing) return this.devices.delete(volume);
        const old = this.devices.get(volume);
        this.devices.set(volume, {
          volume,
          minor: int(f.get('minor')) ?? old?.minor,
          disk: f.get('disk') ?? old?.disk ?? 'Diskless',
          client: yes(f.get('client')) ?? old?.client ?? false,
          quorum: (f.get('quorum') ?? (old ? (old.quorum ? 'yes' : 'no') : 'yes')) !== 'no',
        });
        return true;
      }
      case 'peer-device': {
        const id = peerOf(f);
        const volume = int(f.get('volume')) ?? 0;
        const key = `${id}/${volume}`;
        if (removing) return this.peerDevices.delete(key);
        const old = this.peerDevices.get(key);
        this.peerDevices.set(key, {
          peerNodeId: id,
          volume,
          replication: f.get('replication') ?? old?.replication ?? 'Off',
          peerDisk: f.get('peer-disk') ?? old?.peerDisk ?? 'DUnknown',
          peerClient: yes(f.get('peer-client')) ?? old?.peerClient ?? false,
        });
        return true;
      }
      default:
        return false; // path, helper: not part of the state the agent decides on
    }
  }

  state(): DrbdState {
    if (!this.resource) return { up: false };
    return {
      up: true,
      resource: { ...this.resource },
      connections: [...this.connections.values()].sort((a, b) => a.peerNodeId.localeCompare(b.peerNodeId)),
      devices: [...this.devices.values()].sort((a, b) => a.volume - b.volume),
      peerDevices: [...this.peerDevices.values()].sort((a, b) => a.peerNodeId.localeCompare(b.peerNodeId) || a.volume - b.volume),
    };
  }
}

/** The state in the output of `drbdsetup events2 --now RES`; a resource that is down prints only `exists -`. */
export function parseEvents2(text: string, name: string): DrbdState {
  const tracker = new Events2Tracker(name);
  for (const line of text.split('\n')) tracker.apply(line);
  return tracker.state();
}
