// SPDX-License-Identifier: GPL-2.0-or-later
// drbd-utils 9.22 output formats (drbd.md §9, §10), pure functions of a simulated state.
import type { ConnectionSnap, DeviceSnap, PathSnap, PeerDeviceSnap, ResourceSnap, StateError } from './types.js';

export const UTILS_VERSION = '9.22.0';
export const UTILS_VERSION_CODE = 0x091600;
export const BUILDTAG = 'GIT-hash: 409097fe02187f83790b88ac3e0d94f3c167adab reproducible build, 2023-01-09 14:51:18';
export const DEFAULT_KERNEL_VERSION = '9.2.5';

/** `9.2.5` → 0x090205 (one byte each, drbd.md §13) */
export function versionCode(version: string): number {
  const [major = 0, minor = 0, patch = 0] = version.split('.').map((part) => Number.parseInt(part, 10) || 0);
  return ((major & 0xff) << 16) | ((minor & 0xff) << 8) | (patch & 0xff);
}

function hex6(code: number): string {
  return `0x${code.toString(16).padStart(6, '0')}`;
}

/** drbdadm's shell_escape: a backslash before everything that is not [A-Za-z0-9_./:-]. */
export function shellEscape(text: string): string {
  return text.replace(/[^A-Za-z0-9_./:-]/g, (c) => `\\${c}`);
}

/**
 * `drbdadm --version` (the layout measured in drbd.md §3), with a simulated kernel module version. For an 8.4
 * module drbd-utils 9 hands over to its drbdadm-84, which prints API version 1 and no DRBD_KERNEL_VERSION.
 */
export function drbdadmVersion(kernelVersion: string): string {
  const v84 = versionCode(kernelVersion) >> 16 === 8;
  return [
    `DRBDADM_BUILDTAG=${shellEscape(BUILDTAG)}`,
    `DRBDADM_API_VERSION=${v84 ? 1 : 2}`,
    `DRBD_KERNEL_VERSION_CODE=${hex6(versionCode(kernelVersion))}`,
    ...(v84 ? [] : [`DRBD_KERNEL_VERSION=${kernelVersion}`]),
    `DRBDADM_VERSION_CODE=${hex6(UTILS_VERSION_CODE)}`,
    `DRBDADM_VERSION=${UTILS_VERSION}`,
    '',
  ].join('\n');
}

/** `drbdsetup --version`: the drbdadm layout with the DRBDSETUP_ prefix (not measured: needs a module). */
export function drbdsetupVersion(kernelVersion: string): string {
  return drbdadmVersion(kernelVersion).replaceAll('DRBDADM_', 'DRBDSETUP_');
}

// ---- promotion info (drbd.md §9.3) ----

export type PromotionInfo = { mayPromote: boolean; score: number };

export function promotionInfo(res: ResourceSnap): PromotionInfo {
  const none = { mayPromote: false, score: 0 };
  if (res.devices.length === 0 || res.forceIoFailures) return none;
  let upToDateDevices = 0;
  let allHaveDisk = true;
  let minReplicas = -1;
  let allStable = true;
  for (const device of res.devices) {
    if (!device.quorum) return none;
    let replicas = device.disk === 'UpToDate' ? 1 : 0;
    for (const conn of res.connections) {
      for (const pd of conn.peerDevices) {
        if (pd.volume === device.volume && pd.peerDisk === 'UpToDate') replicas++;
      }
    }
    if (device.disk === 'UpToDate') upToDateDevices++;
    else if (device.disk !== 'Consistent' && device.disk !== 'Inconsistent') allHaveDisk = false;
    if (minReplicas === -1 || replicas < minReplicas) minReplicas = replicas;
    if (replicas === 0) allStable = false;
  }
  if (minReplicas <= 0) return none;
  const anyPrimary = res.role === 'Primary' || res.connections.some((c) => c.role === 'Primary');
  return {
    mayPromote: !anyPrimary && allStable,
    score: (allHaveDisk ? 10000 : 0) + 100 * Math.min(upToDateDevices, 99) + Math.min(minReplicas, 99),
  };
}

// ---- events2 (drbd.md §9.2) ----

export type EventsOptions = { statistics: boolean };

const yesNo = (value: boolean): string => (value ? 'yes' : 'no');

function resourceFields(res: ResourceSnap, opts: EventsOptions): string[] {
  const p = promotionInfo(res);
  const fields = [`role:${res.role}`, `suspended:${res.suspended}`, `force-io-failures:${yesNo(res.forceIoFailures)}`];
  if (opts.statistics) fields.push(`write-ordering:${res.writeOrdering}`);
  fields.push(`may_promote:${yesNo(p.mayPromote)}`, `promotion_score:${p.score}`);
  return fields;
}

function connectionKey(res: ResourceSnap, conn: ConnectionSnap): string {
  return `name:${res.name} peer-node-id:${conn.peerNodeId} conn-name:${conn.name}`;
}

function connectionFields(conn: ConnectionSnap, opts: EventsOptions): string[] {
  const fields = [`connection:${conn.connection}`, `role:${conn.role}`];
  if (opts.statistics) {
    fields.push(`congested:${yesNo(conn.congested)}`, `ap-in-flight:${conn.apInFlight}`, `rs-in-flight:${conn.rsInFlight}`);
  }
  return fields;
}

function deviceKey(res: ResourceSnap, dev: DeviceSnap): string {
  return `name:${res.name} volume:${dev.volume} minor:${dev.minor}`;
}

function deviceFields(dev: DeviceSnap, opts: EventsOptions): string[] {
  const fields = [`backing_dev:${dev.backingDev}`, `disk:${dev.disk}`, `client:${yesNo(dev.client)}`, `quorum:${yesNo(dev.quorum)}`];
  if (opts.statistics) {
    fields.push(
      `size:${dev.size}`,
      `read:${dev.read}`,
      `written:${dev.written}`,
      `al-writes:${dev.alWrites}`,
      `bm-writes:${dev.bmWrites}`,
      `upper-pending:${dev.upperPending}`,
      `lower-pending:${dev.lowerPending}`,
      'al-suspended:no',
      'blocked:no',
    );
  }
  return fields;
}

function peerDeviceKey(res: ResourceSnap, conn: ConnectionSnap, pd: PeerDeviceSnap): string {
  return `${connectionKey(res, conn)} volume:${pd.volume}`;
}

function peerDeviceFields(pd: PeerDeviceSnap, opts: EventsOptions): string[] {
  const fields = [
    `replication:${pd.replication}`,
    `peer-disk:${pd.peerDisk}`,
    `peer-client:${yesNo(pd.peerClient)}`,
    'resync-suspended:no',
  ];
  if (pd.done !== undefined) fields.push(`done:${pd.done.toFixed(2)}`);
  if (opts.statistics) {
    fields.push(`received:${pd.received}`, `sent:${pd.sent}`, `out-of-sync:${pd.outOfSync}`, `pending:${pd.pending}`, `unacked:${pd.unacked}`);
    if (pd.done !== undefined) fields.push(...SYNC_RATE);
  }
  return fields;
}

// The resync rate of the last interval and the time left at that rate, which drbdsetup prints during a resync;
// the simulator copies no data, so the rate is 0 and the time left is printf's "nan".
const SYNC_RATE = ['dbdt1:0.00', 'eta:nan'];

function pathKey(res: ResourceSnap, conn: ConnectionSnap, path: PathSnap): string {
  return `${connectionKey(res, conn)} local:${path.local} peer:${path.peer}`;
}

const line = (action: string, object: string, key: string, fields: string[]): string =>
  [action, object, key, ...fields].join(' ');

/**
 * Every object of a resource. `exists` (the --now dump) in 9.22's order: resource, connections, devices, then per
 * connection its peer devices and paths. `create` in the kernel's order for `drbdadm up` (new-resource,
 * new-minor, new-peer, new-path): resource, devices, then per connection the connection, its peer devices, paths.
 */
export function events2Objects(res: ResourceSnap, action: 'exists' | 'create', opts: EventsOptions): string[] {
  const out = [line(action, 'resource', `name:${res.name}`, resourceFields(res, opts))];
  const connectionLine = (conn: ConnectionSnap): string => line(action, 'connection', connectionKey(res, conn), connectionFields(conn, opts));
  if (action === 'exists') out.push(...res.connections.map(connectionLine));
  for (const dev of res.devices) out.push(line(action, 'device', deviceKey(res, dev), deviceFields(dev, opts)));
  for (const conn of res.connections) {
    if (action === 'create') out.push(connectionLine(conn));
    for (const pd of conn.peerDevices) out.push(line(action, 'peer-device', peerDeviceKey(res, conn, pd), peerDeviceFields(pd, opts)));
    for (const path of conn.paths) out.push(line(action, 'path', pathKey(res, conn, path), [`established:${yesNo(path.established)}`]));
  }
  return out;
}

/** `drbdsetup events2 --now RES`: the objects then `exists -`; a resource that is not up gives only `exists -`. */
export function events2Now(resources: ResourceSnap[], opts: EventsOptions): string {
  const lines = resources.flatMap((res) => events2Objects(res, 'exists', opts));
  lines.push('exists -');
  return `${lines.join('\n')}\n`;
}

/** Fields of `after` that differ from `before`, keeping `name:value` pairs whole. */
function changed(before: string[], after: string[]): string[] {
  const old = new Map(before.map((f) => [f.slice(0, f.indexOf(':')), f]));
  return after.filter((f) => old.get(f.slice(0, f.indexOf(':'))) !== f);
}

/** The lines a streaming `drbdsetup events2` prints for a state change: create, change (changed fields only), destroy. */
export function events2Changes(before: ResourceSnap | undefined, after: ResourceSnap | undefined, opts: EventsOptions): string[] {
  if (!before && !after) return [];
  if (!before && after) return events2Objects(after, 'create', opts);
  if (before && !after) return destroyLines(before);
  const a = before as ResourceSnap;
  const b = after as ResourceSnap;
  const out: string[] = [];
  const resChange = changed(resourceFields(a, opts), resourceFields(b, opts));
  // may_promote and promotion_score always travel together
  const promo = resChange.some((f) => f.startsWith('may_promote:') || f.startsWith('promotion_score:'));
  const resFields = resourceFields(b, opts).filter(
    (f) => resChange.includes(f) || (promo && (f.startsWith('may_promote:') || f.startsWith('promotion_score:'))),
  );
  if (resFields.length > 0) out.push(line('change', 'resource', `name:${b.name}`, resFields));
  for (const conn of b.connections) {
    const old = a.connections.find((c) => c.peerNodeId === conn.peerNodeId);
    if (!old) {
      out.push(line('create', 'connection', connectionKey(b, conn), connectionFields(conn, opts)));
      continue;
    }
    const fields = changed(connectionFields(old, opts), connectionFields(conn, opts));
    if (fields.length > 0) out.push(line('change', 'connection', connectionKey(b, conn), fields));
  }
  for (const conn of a.connections) {
    if (!b.connections.some((c) => c.peerNodeId === conn.peerNodeId)) {
      for (const pd of conn.peerDevices) out.push(line('destroy', 'peer-device', peerDeviceKey(a, conn, pd), []));
      for (const path of conn.paths) out.push(line('destroy', 'path', pathKey(a, conn, path), []));
      out.push(line('destroy', 'connection', connectionKey(a, conn), []));
    }
  }
  for (const dev of b.devices) {
    const old = a.devices.find((d) => d.volume === dev.volume);
    if (!old) {
      out.push(line('create', 'device', deviceKey(b, dev), deviceFields(dev, opts)));
      continue;
    }
    const fields = changed(deviceFields(old, opts), deviceFields(dev, opts));
    if (fields.length > 0) out.push(line('change', 'device', deviceKey(b, dev), fields));
  }
  for (const dev of a.devices) {
    if (!b.devices.some((d) => d.volume === dev.volume)) out.push(line('destroy', 'device', deviceKey(a, dev), []));
  }
  for (const conn of b.connections) {
    const oldConn = a.connections.find((c) => c.peerNodeId === conn.peerNodeId);
    for (const pd of conn.peerDevices) {
      const old = oldConn?.peerDevices.find((p) => p.volume === pd.volume);
      if (!old) {
        out.push(line('create', 'peer-device', peerDeviceKey(b, conn, pd), peerDeviceFields(pd, opts)));
        continue;
      }
      let fields = changed(peerDeviceFields(old, opts), peerDeviceFields(pd, opts));
      // the kernel reports peer-disk and peer-client together
      if (fields.some((f) => f.startsWith('peer-disk:')) && !fields.some((f) => f.startsWith('peer-client:'))) {
        fields = peerDeviceFields(pd, opts).filter((f) => fields.includes(f) || f.startsWith('peer-client:'));
      }
      if (fields.length > 0) out.push(line('change', 'peer-device', peerDeviceKey(b, conn, pd), fields));
    }
    // A volume removed while the connection stays (del-minor) takes its peer device with it.
    for (const pd of oldConn?.peerDevices ?? []) {
      if (!conn.peerDevices.some((p) => p.volume === pd.volume)) out.push(line('destroy', 'peer-device', peerDeviceKey(a, conn, pd), []));
    }
    for (const path of conn.paths) {
      const old = oldConn?.paths.find((p) => p.local === path.local && p.peer === path.peer);
      if (!old) out.push(line('create', 'path', pathKey(b, conn, path), [`established:${yesNo(path.established)}`]));
      else if (old.established !== path.established) {
        out.push(line('change', 'path', pathKey(b, conn, path), [`established:${yesNo(path.established)}`]));
      }
    }
  }
  return out;
}

function destroyLines(res: ResourceSnap): string[] {
  const out: string[] = [];
  for (const conn of res.connections) {
    for (const pd of conn.peerDevices) out.push(line('destroy', 'peer-device', peerDeviceKey(res, conn, pd), []));
    for (const path of conn.paths) out.push(line('destroy', 'path', pathKey(res, conn, path), []));
    out.push(line('destroy', 'connection', connectionKey(res, conn), []));
  }
  for (const dev of res.devices) out.push(line('destroy', 'device', deviceKey(res, dev), []));
  out.push(line('destroy', 'resource', `name:${res.name}`, []));
  return out;
}

/** `--timestamps` prefix: `YYYY-MM-DDTHH:MM:SS.uuuuuu+HH:MM ` in local time. */
export function timestamp(date: Date): string {
  const pad = (n: number, w = 2): string => String(Math.abs(n)).padStart(w, '0');
  const offset = -date.getTimezoneOffset();
  const sign = offset >= 0 ? '+' : '-';
  return (
    `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:` +
    `${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(date.getMilliseconds() * 1000, 6)}` +
    `${sign}${pad(Math.trunc(offset / 60))}:${pad(offset % 60)} `
  );
}

// ---- drbdsetup status, text (drbd.md §9.4; drbd-utils wrap_printf and status_cmd) ----

export type StatusOptions = { verbose: boolean; statistics: boolean; tty: boolean; columns: number };

/** drbd-utils' wrap_printf, including its column bookkeeping (col ends one short of the indent). */
class Wrapper {
  out = '';
  private col = 0;
  constructor(private readonly columns: number) {}

  print(indent: number, text: string): void {
    let s = text;
    while (s.startsWith('\n')) {
      this.out += '\n';
      this.col = 0;
      s = s.slice(1);
    }
    if (s === '') return;
    const n = s.length;
    if (this.col > 0 && this.col + n > this.columns) {
      this.out += '\n';
      this.col = 0;
    }
    if (this.col === 0) {
      s = s.replace(/^ +/, '');
      this.out += ' '.repeat(indent);
      this.col = -1;
    }
    this.out += s;
    this.col += s.length;
    if (s.endsWith('\n')) this.col = 0;
  }
}

function resourceStatus(w: Wrapper, res: ResourceSnap, opts: StatusOptions): void {
  w.print(0, res.name);
  if (opts.verbose) w.print(4, ` node-id:${res.nodeId}`);
  w.print(4, ` role:${res.role}`);
  if (opts.verbose || res.suspended !== 'no') w.print(4, ` suspended:${res.suspended}`);
  if (opts.verbose || res.forceIoFailures) w.print(4, ` force-io-failures:${yesNo(res.forceIoFailures)}`);
  if (opts.statistics && opts.verbose) {
    w.print(4, '\n');
    w.print(4, ` write-ordering:${res.writeOrdering}`);
  }
  w.print(0, '\n');
}

function deviceStatus(w: Wrapper, dev: DeviceSnap, single: boolean, opts: StatusOptions): void {
  let indent = 2;
  if (opts.verbose || !(single && dev.volume === 0)) {
    w.print(indent, `volume:${dev.volume}`);
    indent = 6;
    if (opts.verbose) w.print(indent, ` minor:${dev.minor}`);
  }
  w.print(indent, ` disk:${dev.disk}`);
  if (dev.disk === 'Diskless' && (opts.verbose || !opts.tty)) w.print(indent, ` client:${yesNo(dev.client)}`);
  if (opts.verbose) w.print(indent, ` backing_dev:${dev.backingDev}`);
  if (opts.verbose || !dev.quorum) w.print(indent, ` quorum:${yesNo(dev.quorum)}`);
  indent = 6;
  if (opts.statistics) {
    w.print(indent, '\n');
    w.print(indent, ` size:${dev.size}`);
    w.print(indent, ` read:${dev.read}`);
    w.print(indent, ` written:${dev.written}`);
    w.print(indent, ` al-writes:${dev.alWrites}`);
    w.print(indent, ` bm-writes:${dev.bmWrites}`);
    w.print(indent, ` upper-pending:${dev.upperPending}`);
    w.print(indent, ` lower-pending:${dev.lowerPending}`);
    if (opts.verbose) w.print(indent, ' al-suspended:no');
  }
  // Printed whenever verbose, with or without statistics (drbd-utils print_device_statistics).
  if (opts.verbose) w.print(indent, ' blocked:no');
  w.print(indent, '\n');
}

function peerDeviceStatus(w: Wrapper, pd: PeerDeviceSnap, single: boolean, opts: StatusOptions): void {
  let indent = 4;
  if (opts.verbose || !(single && pd.volume === 0)) {
    w.print(indent, `volume:${pd.volume}`);
    indent = 8;
  }
  if (opts.verbose || !['Off', 'Established'].includes(pd.replication)) {
    w.print(indent, ` replication:${pd.replication}`);
    indent = 8;
  }
  if (opts.verbose || opts.statistics || pd.replication !== 'Off' || pd.peerDisk !== 'DUnknown') {
    w.print(indent, ` peer-disk:${pd.peerDisk}`);
    if (pd.peerDisk === 'Diskless' && (opts.verbose || !opts.tty)) w.print(indent, ` peer-client:${yesNo(pd.peerClient)}`);
    indent = 8;
    if (pd.done !== undefined) w.print(indent, ` done:${pd.done.toFixed(2)}`);
    if (opts.verbose) w.print(indent, ' resync-suspended:no');
    if (opts.statistics) {
      w.print(indent, '\n');
      w.print(indent, ` received:${pd.received}`);
      w.print(indent, ` sent:${pd.sent}`);
      if (opts.verbose || pd.outOfSync > 0) w.print(indent, ` out-of-sync:${pd.outOfSync}`);
      if (opts.verbose) {
        w.print(indent, ` pending:${pd.pending}`);
        w.print(indent, ` unacked:${pd.unacked}`);
        if (pd.done !== undefined) for (const field of SYNC_RATE) w.print(indent, ` ${field}`);
      }
    }
  }
  w.print(0, '\n');
}

function connectionStatus(w: Wrapper, conn: ConnectionSnap, single: boolean, opts: StatusOptions): void {
  w.print(2, conn.name);
  if (opts.verbose) w.print(6, ` node-id:${conn.peerNodeId}`);
  if (opts.verbose || conn.connection !== 'Connected') w.print(6, ` connection:${conn.connection}`);
  if (opts.verbose || conn.connection === 'Connected') w.print(6, ` role:${conn.role}`);
  if (opts.verbose || conn.congested) {
    w.print(6, ` congested:${yesNo(conn.congested)}`);
    w.print(6, ` ap-in-flight:${conn.apInFlight}`);
    w.print(6, ` rs-in-flight:${conn.rsInFlight}`);
  }
  w.print(0, '\n');
  if (opts.verbose || opts.statistics || conn.connection === 'Connected') {
    for (const pd of conn.peerDevices) peerDeviceStatus(w, pd, single, opts);
  }
}

/** Connections in status order: by name, as drbd-utils' sort_connections (strcmp), not by node id. */
function byName(connections: readonly ConnectionSnap[]): ConnectionSnap[] {
  return [...connections].sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
}

/** `drbdsetup status [RES] [--verbose] [--statistics]`; resources sorted by name, each paragraph ends with an empty line. */
export function statusText(resources: ResourceSnap[], opts: StatusOptions): string {
  if (resources.length === 0) return '# No currently configured DRBD found.\n';
  const w = new Wrapper(opts.columns);
  for (const res of [...resources].sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0))) {
    resourceStatus(w, res, opts);
    const single = res.devices.length === 1;
    for (const dev of res.devices) deviceStatus(w, dev, single, opts);
    for (const conn of byName(res.connections)) connectionStatus(w, conn, single, opts);
    w.print(0, '\n');
  }
  return w.out;
}

// ---- drbdsetup status --json (drbd.md §9.5) ----

const j = (value: boolean): string => (value ? 'true' : 'false');

function deviceJson(dev: DeviceSnap): string {
  return [
    '    {',
    `      "volume": ${dev.volume},`,
    `      "minor": ${dev.minor},`,
    `      "disk-state": "${dev.disk}",`,
    `      "client": ${j(dev.client)},`,
    `      "quorum": ${j(dev.quorum)},`,
    `      "size": ${dev.size},`,
    `      "read": ${dev.read},`,
    `      "written": ${dev.written},`,
    `      "al-writes": ${dev.alWrites},`,
    `      "bm-writes": ${dev.bmWrites},`,
    `      "upper-pending": ${dev.upperPending},`,
    `      "lower-pending": ${dev.lowerPending}`,
    '    }',
  ].join('\n');
}

function peerDeviceJson(pd: PeerDeviceSnap, size: number): string {
  const syncing = ['SyncSource', 'SyncTarget', 'PausedSyncS', 'PausedSyncT'].includes(pd.replication);
  const inSync = size === 0 ? 0 : 100 * (1 - pd.outOfSync / size);
  const lines = [
    '        {',
    `          "volume": ${pd.volume},`,
    `          "replication-state": "${pd.replication}",`,
    `          "peer-disk-state": "${pd.peerDisk}",`,
    `          "peer-client": ${j(pd.peerClient)},`,
    '          "resync-suspended": "no",',
    `          "received": ${pd.received},`,
    `          "sent": ${pd.sent},`,
    `          "out-of-sync": ${pd.outOfSync},`,
    `          "pending": ${pd.pending},`,
    `          "unacked": ${pd.unacked},`,
    '          "has-sync-details": false,',
    '          "has-online-verify-details": false,',
    `          "percent-in-sync": ${inSync.toFixed(2)}${syncing ? ',' : ''}`,
  ];
  if (syncing) lines.push(`          "percent-resync-done": ${(pd.done ?? inSync).toFixed(2)}`);
  lines.push('        }');
  return lines.join('\n');
}

function connectionJson(conn: ConnectionSnap, devices: DeviceSnap[]): string {
  const head = [
    '    {',
    `      "peer-node-id": ${conn.peerNodeId},`,
    `      "name": "${conn.name}",`,
    `      "connection-state": "${conn.connection}", `,
    `      "congested": ${j(conn.congested)},`,
    `      "peer-role": "${conn.role}",`,
    `      "ap-in-flight": ${conn.apInFlight},`,
    `      "rs-in-flight": ${conn.rsInFlight},`,
    '      "peer_devices": [',
  ].join('\n');
  const pds = conn.peerDevices
    .map((pd) => peerDeviceJson(pd, devices.find((d) => d.volume === pd.volume)?.size ?? 0))
    .join(',\n');
  return `${head}\n${pds} ]\n    }`;
}

function resourceJson(res: ResourceSnap): string {
  const susp = res.suspended.split(',');
  const head = [
    '{',
    `  "name": "${res.name}",`,
    `  "node-id": ${res.nodeId},`,
    `  "role": "${res.role}",`,
    `  "suspended": ${j(res.suspended !== 'no')},`,
    `  "suspended-user": ${j(susp.includes('user'))},`,
    `  "suspended-no-data": ${j(susp.includes('no-data'))},`,
    `  "suspended-fencing": ${j(susp.includes('fencing'))},`,
    `  "suspended-quorum": ${j(susp.includes('quorum'))},`,
    `  "force-io-failures": ${j(res.forceIoFailures)},`,
    `  "write-ordering": "${res.writeOrdering}",`,
    '  "devices": [',
  ].join('\n');
  const devs = res.devices.map(deviceJson).join(',\n');
  const conns = byName(res.connections)
    .map((c) => connectionJson(c, res.devices))
    .join(',\n');
  return `${head}\n${devs}${devs ? ' ' : ''}],\n  "connections": [\n${conns}${conns ? ' ' : ''}]\n}`;
}

/** `drbdsetup status --json`: always ends with `]\n\n`. */
export function statusJson(resources: ResourceSnap[]): string {
  const sorted = [...resources].sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
  if (sorted.length === 0) return '[\n]\n\n';
  return `[\n${sorted.map(resourceJson).join(',\n')}\n]\n\n`;
}

// ---- role / cstate / dstate (drbd.md §9.6) ----

export function roleText(res: ResourceSnap): string {
  return `${res.role}\n`;
}

export function dstateText(res: ResourceSnap, dev: DeviceSnap): string {
  const peers = res.connections.flatMap((c) => c.peerDevices.filter((p) => p.volume === dev.volume).map((p) => `/${p.peerDisk}`));
  return `${dev.disk}${peers.join('')}\n`;
}

// ---- errors (drbd.md §10) ----

export const SS = {
  TWO_PRIMARIES: { code: -1, text: 'Multiple primaries not allowed by config' },
  NO_UP_TO_DATE_DISK: { code: -2, text: 'Need access to UpToDate data' },
  NO_LOCAL_DISK: { code: -4, text: 'Can not resync without local disk' },
  CONNECTED_OUTDATES: { code: -6, text: 'Refusing to be Outdated while Connected' },
  PRIMARY_NOP: { code: -7, text: 'Refusing to be Primary while peer is not outdated' },
  NOTHING_TO_DO_STANDALONE: { code: -9, text: 'Can not disconnect a StandAlone device' },
  CW_FAILED_BY_PEER: { code: -10, text: 'State change was refused by peer node' },
  DEVICE_IN_USE: { code: -12, text: 'Device is held open by someone' },
  LOWER_THAN_OUTDATED: { code: -16, text: 'Disk state is lower than outdated' },
  IN_TRANSIENT_STATE: { code: -18, text: 'In transient state, retry after next state change' },
  MINOR_NOT_ALLOCATED: { code: 127, text: 'Device minor not allocated' },
  UNKNOWN_RESOURCE: { code: 158, text: 'Unknown resource' },
} as const satisfies Record<string, StateError>;

/** drbdsetup's check_error: the exit code for a kernel result. */
export function exitCodeFor(error: StateError): number {
  if (error.code > 100) return 10;
  switch (error.code) {
    case -2:
      return 17;
    case -4:
      return 16;
    case -16:
      return 5;
    default:
      return 11;
  }
}

/** The stderr line drbdsetup prints for a failed request on `object` (resource name, or minor for device commands). */
export function errorText(object: string, error: StateError): string {
  if (error.code > 100) return `${object}: Failure: (${error.code}) ${error.text}\n`;
  return `${object}: State change failed: (${error.code}) ${error.text}\n`;
}
