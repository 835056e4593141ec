// SPDX-License-Identifier: GPL-2.0-or-later
// The simulated DRBD "kernel" of one resource on one node: a detached process started by `drbdadm up`.
// It answers drbdadm/drbdsetup on a unix socket in the shared state folder and talks to the peers over
// real TCP on the replication addresses of drbd.conf, so a cut link or a crashed node is a lost connection.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, statSync, unlinkSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { PeerConfig, ResourceConfig, SimEnv } from './config.js';
import { queryDaemon } from './client.js';
import { formatAddress } from './config.js';
import { SS } from './format.js';
import { acceptPeerPromotion, checkPromote, diskAfterInSync, handshake, hasConsistentData, newGeneration, type Side } from './rules.js';
import { freshMeta, listNodes, type Meta, readMeta, socketPath, writeMeta } from './store.js';
import type { ConnState, ConnectionSnap, DeviceSnap, DiskState, ReplState, ResourceSnap, Role, StateError } from './types.js';

export type DaemonArgs = { config: ResourceConfig; sim: SimEnv; node: string; stage: Stage };

/** How far the resource is set up: new-resource, new-minor, attach, network (drbdadm up does all). */
export type Stage = { minors: boolean; attach: boolean; net: boolean };

export type Request =
  | { op: 'snapshot' }
  | { op: 'subscribe' }
  | { op: 'configure'; stage: Stage }
  | { op: 'primary'; force: boolean; held: boolean }
  | { op: 'secondary'; held: boolean }
  | { op: 'down'; held: boolean }
  | { op: 'disconnect'; peer?: number | undefined }
  | { op: 'connect'; peer?: number | undefined; discardMyData: boolean }
  | { op: 'outdate' }
  | { op: 'new-current-uuid'; clearBitmap: boolean }
  | { op: 'info' };

export type Reply = { rc: 0 } | { rc: number; error: StateError } | { rc: 0; snap: ResourceSnap } | { rc: 0; info: DaemonInfo };

export type DaemonInfo = { pid: number; node: string; devId: string; meta: Meta };

type PeerMsg =
  | { t: 'hello'; res: string; from: number; to: number; role: Role; disk: DiskState; gen: string; history: string[]; discard: boolean }
  | { t: 'state'; role: Role; disk: DiskState }
  | { t: 'ping' }
  | { t: 'prepare'; tx: number }
  | { t: 'prepared'; tx: number; ok: boolean }
  | { t: 'sync'; done: number }
  | { t: 'sync-done'; gen: string; history: string[] }
  | { t: 'bye' };

type Conn = {
  peer: PeerConfig;
  state: ConnState;
  peerRole: Role;
  peerDisk: DiskState;
  repl: ReplState;
  done: number | undefined;
  sock: net.Socket | undefined;
  /** while Connecting: a dial or an accepted socket still in the handshake */
  pendingSock: net.Socket | undefined;
  lastRx: number;
  discardMyData: boolean;
  syncTimer: NodeJS.Timeout | undefined;
};

const log = (...parts: unknown[]): void => {
  process.stdout.write(`${new Date().toISOString()} ${parts.map((p) => (typeof p === 'string' ? p : JSON.stringify(p))).join(' ')}\n`);
};

/** Reads one newline-delimited JSON message stream. */
function onLines(sock: net.Socket, handler: (msg: unknown) => void): void {
  let buffer = '';
  sock.setEncoding('utf8');
  sock.on('data', (chunk: string) => {
    buffer += chunk;
    let nl;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const lineText = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      if (!lineText) continue;
      try {
        handler(JSON.parse(lineText));
      } catch (error) {
        log('bad message', String(error));
      }
    }
  });
}

function send(sock: net.Socket | undefined, msg: PeerMsg | Reply | object): void {
  if (sock && !sock.destroyed && sock.writable) sock.write(`${JSON.stringify(msg)}\n`);
}

/** major:minor of a block device, or undefined. */
export function blockDevNumbers(file: string): { major: number; minor: number } | undefined {
  try {
    const st = statSync(file);
    if (!st.isBlockDevice()) return undefined;
    const rdev = st.rdev;
    return { major: Math.floor(rdev / 256) & 0xfff, minor: (rdev & 0xff) | ((Math.floor(rdev / 1048576) & 0xfff) << 8) };
  } catch {
    return undefined;
  }
}

/** Whether a block device is mounted in this process' mount namespace (DRBD's "held open"). */
export function isMounted(file: string): boolean {
  const nums = blockDevNumbers(file);
  if (!nums) return false;
  try {
    const key = `${nums.major}:${nums.minor}`;
    return readFileSync('/proc/self/mountinfo', 'utf8')
      .split('\n')
      .some((l) => l.split(' ')[2] === key);
  } catch {
    return false;
  }
}

function sizeKiB(disk: string): number {
  try {
    const name = path.basename(statSync(disk).isBlockDevice() ? disk : '');
    const sectors = Number(readFileSync(`/sys/class/block/${name}/size`, 'utf8').trim());
    const kib = Math.floor(sectors / 2);
    // internal metadata: superblock + activity log (36 KiB) and a bitmap of one bit per 4 KiB
    return Math.max(0, kib - 36 - Math.ceil(kib / 32768) * 4);
  } catch {
    return 0;
  }
}

export class ResourceDaemon {
  private role: Role = 'Secondary';
  private disk: DiskState = 'Diskless';
  private meta: Meta;
  private stage: Stage = { minors: false, attach: false, net: false };
  private readonly conns = new Map<number, Conn>();
  private readonly listeners: net.Server[] = [];
  private control: net.Server | undefined;
  private readonly subscribers = new Set<net.Socket>();
  private lastSnap = '';
  private promoting = false;
  private tx = 0;
  private readonly waiting = new Map<number, (ok: boolean) => void>();
  private timer: NodeJS.Timeout | undefined;
  private readonly devId: string;
  private readonly cfg: ResourceConfig;

  constructor(private readonly args: DaemonArgs) {
    this.cfg = args.config;
    this.meta = readMeta(args.sim.stateDir, args.node, this.cfg.name) ?? freshMeta();
    const dev = statSync('/dev');
    this.devId = `${dev.dev}:${dev.ino}`;
  }

  private get allowTwoPrimaries(): boolean {
    return this.cfg.peers.some((p) => p.options['allow-two-primaries'] === 'yes');
  }

  private persist(): void {
    if (!this.stage.attach) return;
    if (this.disk === 'UpToDate' || this.disk === 'Outdated' || this.disk === 'Inconsistent' || this.disk === 'Consistent') {
      this.meta.disk = this.disk;
    }
    writeMeta(this.args.sim.stateDir, this.args.node, this.cfg.name, this.meta);
  }

  /** Starts a new data generation once per disconnected period (a Primary without peer may write). */
  private bumpGeneration(): void {
    if (this.meta.bumped || !hasConsistentData(this.disk)) return;
    this.meta.history = [this.meta.gen, ...this.meta.history].slice(0, 32);
    this.meta.gen = newGeneration();
    this.meta.bumped = true;
    this.meta.peerOutdated = false;
    this.persist();
    log('new data generation', this.meta.gen);
  }

  snapshot(): ResourceSnap {
    const devices: DeviceSnap[] = this.stage.minors
      ? this.cfg.volumes.map((v) => ({
          volume: v.volume,
          minor: v.minor,
          backingDev: this.stage.attach && v.disk !== 'none' ? v.disk : 'none',
          disk: this.stage.attach ? this.disk : 'Diskless',
          client: v.disk === 'none',
          quorum: true,
          size: this.stage.attach ? sizeKiB(v.disk) : 0,
          read: 0,
          written: 0,
          alWrites: 0,
          bmWrites: 0,
          upperPending: 0,
          lowerPending: 0,
        }))
      : [];
    const connections: ConnectionSnap[] = this.stage.net
      ? [...this.conns.values()].map((c) => ({
          peerNodeId: c.peer.nodeId,
          name: c.peer.name,
          connection: c.state,
          role: c.peerRole,
          congested: false,
          apInFlight: 0,
          rsInFlight: 0,
          peerDevices: devices.map((d) => ({
            volume: d.volume,
            replication: c.repl,
            peerDisk: c.peerDisk,
            peerClient: false,
            done: c.done,
            received: 0,
            sent: 0,
            outOfSync: c.done === undefined ? 0 : Math.round((d.size * (100 - c.done)) / 100),
            pending: 0,
            unacked: 0,
          })),
          paths: [{ local: formatAddress(c.peer.local), peer: formatAddress(c.peer.remote), established: c.state === 'Connected' }],
        }))
      : [];
    return {
      name: this.cfg.name,
      nodeId: this.cfg.nodeId,
      role: this.role,
      suspended: 'no',
      forceIoFailures: false,
      writeOrdering: 'flush',
      devices,
      connections,
    };
  }

  /** Pushes the new state to events2 subscribers when it changed. */
  private changed(): void {
    const snap = this.snapshot();
    const text = JSON.stringify(snap);
    if (text === this.lastSnap) return;
    this.lastSnap = text;
    for (const sub of this.subscribers) send(sub, { t: 'snap', snap });
  }

  async start(): Promise<void> {
    // configure first: the control socket is the sign of a resource that is up (drbdadm waits for it)
    await this.configure(this.args.stage);
    const sock = socketPath(this.args.sim.stateDir, this.args.node, this.cfg.name);
    if (existsSync(sock)) unlinkSync(sock);
    this.control = net.createServer((client) => this.onControl(client));
    await new Promise<void>((resolve, reject) => {
      this.control?.once('error', reject);
      this.control?.listen(sock, () => resolve());
    });
    this.timer = setInterval(() => this.tick(), 500);
    process.on('SIGTERM', () => void this.shutdown(0));
    log('up', this.cfg.name, 'node', this.args.node, 'pid', process.pid);
  }

  private async configure(stage: Stage): Promise<StateError | undefined> {
    if (stage.minors && !this.stage.minors) {
      this.stage.minors = true;
      this.makeDeviceNodes();
    }
    if (stage.attach && !this.stage.attach) {
      this.stage.attach = true;
      const fencing = this.cfg.peers.some((p) => ['resource-only', 'resource-and-stonith'].includes(p.options.fencing ?? ''));
      // with fencing, UpToDate data whose peer is not known Outdated comes up Consistent (drbd.md §11)
      this.disk = this.meta.disk === 'UpToDate' && fencing && !this.meta.peerOutdated ? 'Consistent' : this.meta.disk;
      this.changed();
    }
    if (stage.net && !this.stage.net) {
      this.stage.net = true;
      for (const peer of this.cfg.peers) {
        this.conns.set(peer.nodeId, {
          peer,
          state: 'Connecting',
          peerRole: 'Unknown',
          peerDisk: 'DUnknown',
          repl: 'Off',
          done: undefined,
          sock: undefined,
          pendingSock: undefined,
          lastRx: 0,
          discardMyData: false,
          syncTimer: undefined,
        });
      }
      await this.listen();
      this.changed();
      this.tick();
    }
    this.changed();
    return undefined;
  }

  private makeDeviceNodes(): void {
    for (const v of this.cfg.volumes) {
      const nums = blockDevNumbers(v.disk);
      if (!nums) continue;
      const current = blockDevNumbers(v.device);
      if (current && current.major === nums.major && current.minor === nums.minor) continue;
      try {
        rmSync(v.device, { force: true });
        execFileSync('mknod', ['-m', '0660', v.device, 'b', String(nums.major), String(nums.minor)], { stdio: 'ignore' });
      } catch (error) {
        log('mknod failed', v.device, String(error));
      }
    }
  }

  private async removeDeviceNodes(): Promise<void> {
    // another node that is up and shares this /dev still uses the device nodes
    for (const { node, resources } of listNodes(this.args.sim.stateDir)) {
      if (node === this.args.node || !resources.includes(this.cfg.name)) continue;
      const reply = await queryDaemon(this.args.sim.stateDir, node, this.cfg.name, { op: 'info' }).catch(() => undefined);
      if (reply && 'info' in reply && reply.info.devId === this.devId) return;
    }
    for (const v of this.cfg.volumes) {
      const nums = blockDevNumbers(v.disk);
      const current = blockDevNumbers(v.device);
      if (nums && current && current.major === nums.major && current.minor === nums.minor) rmSync(v.device, { force: true });
    }
  }

  private async listen(): Promise<void> {
    const seen = new Set<string>();
    for (const peer of this.cfg.peers) {
      const key = `${peer.local.host}:${peer.local.port}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const server = net.createServer((sock) => this.onAccept(sock));
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen({ host: peer.local.host, port: peer.local.port, exclusive: true }, () => resolve());
      });
      server.on('error', (error) => log('listener error', String(error)));
      this.listeners.push(server);
    }
  }

  // ---- peer connections ----

  private side(conn: Conn): Side & { res: string } {
    return {
      res: this.cfg.name,
      nodeId: this.cfg.nodeId,
      role: this.role,
      disk: this.stage.attach ? this.disk : 'Diskless',
      gen: this.meta.gen,
      history: this.meta.history,
      discardMyData: conn.discardMyData,
    };
  }

  private hello(conn: Conn): PeerMsg {
    const s = this.side(conn);
    return { t: 'hello', res: s.res, from: s.nodeId, to: conn.peer.nodeId, role: s.role, disk: s.disk, gen: s.gen, history: s.history, discard: s.discardMyData };
  }

  /** Every 500 ms: pings, loss detection, dialing (the node with the lower node id dials). */
  private tick(): void {
    const now = Date.now();
    for (const conn of this.conns.values()) {
      if (conn.sock) {
        send(conn.sock, { t: 'ping' });
        if (now - conn.lastRx > this.args.sim.pingTimeoutMs) this.lost(conn, 'Timeout');
        continue;
      }
      if (conn.state === 'Connecting' && !conn.pendingSock && this.cfg.nodeId < conn.peer.nodeId) this.dial(conn);
    }
  }

  private dial(conn: Conn): void {
    const sock = net.connect({ host: conn.peer.remote.host, port: conn.peer.remote.port, localAddress: conn.peer.local.host });
    conn.pendingSock = sock;
    sock.setTimeout(1000, () => sock.destroy());
    sock.on('error', () => undefined);
    sock.on('close', () => {
      if (conn.pendingSock === sock) conn.pendingSock = undefined;
      if (conn.sock === sock) this.lost(conn, 'BrokenPipe');
    });
    sock.on('connect', () => send(sock, this.hello(conn)));
    onLines(sock, (msg) => this.onPeerMessage(conn, sock, msg as PeerMsg));
  }

  private onAccept(sock: net.Socket): void {
    sock.setTimeout(2000, () => {
      if (![...this.conns.values()].some((c) => c.sock === sock)) sock.destroy();
    });
    sock.on('error', () => undefined);
    let conn: Conn | undefined;
    sock.on('close', () => {
      if (conn && conn.sock === sock) this.lost(conn, 'BrokenPipe');
      if (conn && conn.pendingSock === sock) conn.pendingSock = undefined;
    });
    onLines(sock, (raw) => {
      const msg = raw as PeerMsg;
      if (!conn) {
        if (msg.t !== 'hello' || msg.res !== this.cfg.name || msg.to !== this.cfg.nodeId) return void sock.destroy();
        conn = this.conns.get(msg.from);
        if (!conn || conn.state !== 'Connecting' || conn.sock) return void sock.destroy();
        conn.pendingSock = sock;
        send(sock, this.hello(conn));
      }
      this.onPeerMessage(conn, sock, msg);
    });
  }

  private onPeerMessage(conn: Conn, sock: net.Socket, msg: PeerMsg): void {
    if (msg.t === 'hello') {
      if (conn.state !== 'Connecting' || conn.sock) return void sock.destroy();
      sock.setTimeout(0);
      conn.pendingSock = undefined;
      conn.sock = sock;
      conn.lastRx = Date.now();
      this.established(conn, msg);
      return;
    }
    if (conn.sock !== sock) return;
    conn.lastRx = Date.now();
    switch (msg.t) {
      case 'ping':
        return;
      case 'state':
        conn.peerRole = msg.role;
        conn.peerDisk = msg.disk;
        this.changed();
        this.reconcile(conn);
        return;
      case 'prepare': {
        const ok = acceptPeerPromotion({ role: this.role, promoting: this.promoting, nodeId: this.cfg.nodeId }, conn.peer.nodeId, this.allowTwoPrimaries);
        send(sock, { t: 'prepared', tx: msg.tx, ok });
        return;
      }
      case 'prepared':
        this.waiting.get(msg.tx)?.(msg.ok);
        return;
      case 'sync':
        if (conn.repl !== 'SyncTarget') {
          conn.repl = 'SyncTarget';
          this.disk = 'Inconsistent';
          this.persist();
        }
        conn.done = msg.done;
        this.changed();
        return;
      case 'sync-done':
        this.meta.gen = msg.gen;
        this.meta.history = msg.history;
        this.meta.bumped = false;
        this.disk = 'UpToDate';
        conn.repl = 'Established';
        conn.done = undefined;
        this.persist();
        this.changed();
        this.sendState();
        return;
      case 'bye':
        this.lost(conn, 'Unconnected');
        return;
      default:
        return;
    }
  }

  private established(conn: Conn, peer: Extract<PeerMsg, { t: 'hello' }>): void {
    const me = this.side(conn);
    const outcome = handshake(me, { nodeId: peer.from, role: peer.role, disk: peer.disk, gen: peer.gen, history: peer.history, discardMyData: peer.discard });
    log('handshake with', conn.peer.name, outcome);
    if (outcome === 'split-brain' || outcome === 'refused') {
      conn.sock?.destroy();
      conn.sock = undefined;
      conn.state = 'StandAlone';
      this.changed();
      return;
    }
    conn.state = 'Connected';
    conn.peerRole = peer.role;
    conn.peerDisk = peer.disk;
    conn.discardMyData = false;
    conn.repl = 'Established';
    if (outcome === 'in-sync') {
      if (this.stage.attach) this.disk = diskAfterInSync(this.disk, peer.disk);
      this.meta.bumped = false;
      this.persist();
      this.changed();
      this.sendState();
      return;
    }
    if (outcome === 'target') {
      // the peer has newer data: ours is Outdated until the resync makes it Inconsistent, then UpToDate
      this.disk = 'Outdated';
      conn.repl = 'WFBitMapT';
      this.persist();
      this.changed();
      this.sendState();
      return;
    }
    conn.repl = 'WFBitMapS';
    this.changed();
    this.startSync(conn);
  }

  /** SyncSource: a brief resync in four steps; the target follows the `sync` messages. */
  private startSync(conn: Conn): void {
    if (conn.syncTimer) return;
    const steps = 4;
    let step = 0;
    conn.repl = 'SyncSource';
    conn.peerDisk = 'Inconsistent';
    conn.done = 0;
    this.changed();
    send(conn.sock, { t: 'sync', done: 0 });
    conn.syncTimer = setInterval(() => {
      step++;
      if (step < steps) {
        conn.done = (100 * step) / steps;
        send(conn.sock, { t: 'sync', done: conn.done });
        this.changed();
        return;
      }
      clearInterval(conn.syncTimer);
      conn.syncTimer = undefined;
      this.meta.bumped = false;
      this.persist();
      send(conn.sock, { t: 'sync-done', gen: this.meta.gen, history: this.meta.history });
      conn.repl = 'Established';
      conn.peerDisk = 'UpToDate';
      conn.done = undefined;
      this.changed();
    }, Math.max(50, Math.floor(this.args.sim.syncMs / steps)));
  }

  /** After a state change of either side: a connected peer that lacks our newer data resyncs from us. */
  private reconcile(conn: Conn): void {
    if (conn.state !== 'Connected' || conn.repl !== 'Established') return;
    if (this.disk === 'UpToDate' && conn.peerDisk === 'Inconsistent') this.startSync(conn);
  }

  private sendState(): void {
    for (const conn of this.conns.values()) {
      if (conn.state === 'Connected') send(conn.sock, { t: 'state', role: this.role, disk: this.stage.attach ? this.disk : 'Diskless' });
    }
  }

  private lost(conn: Conn, why: ConnState): void {
    const sock = conn.sock;
    conn.sock = undefined;
    sock?.destroy();
    if (conn.syncTimer) {
      clearInterval(conn.syncTimer);
      conn.syncTimer = undefined;
    }
    const wasConnected = conn.state === 'Connected';
    conn.peerRole = 'Unknown';
    conn.peerDisk = 'DUnknown';
    conn.repl = 'Off';
    conn.done = undefined;
    if (conn.state === 'StandAlone') {
      this.changed();
      return;
    }
    if (wasConnected) {
      log('connection to', conn.peer.name, 'lost:', why);
      conn.state = why;
      this.changed();
      if (this.role === 'Primary') this.bumpGeneration();
    }
    conn.state = 'Connecting';
    this.changed();
  }

  // ---- requests from drbdadm / drbdsetup ----

  private onControl(client: net.Socket): void {
    client.on('error', () => undefined);
    let handled = false;
    onLines(client, (raw) => {
      if (handled) return;
      handled = true;
      void this.handle(client, raw as Request);
    });
  }

  private async handle(client: net.Socket, req: Request): Promise<void> {
    const reply = (r: Reply): void => {
      client.end(`${JSON.stringify(r)}\n`);
    };
    const fail = (error: StateError): void => reply({ rc: 1, error });
    switch (req.op) {
      case 'snapshot':
        return reply({ rc: 0, snap: this.snapshot() });
      case 'info':
        return reply({ rc: 0, info: { pid: process.pid, node: this.args.node, devId: this.devId, meta: this.meta } });
      case 'subscribe':
        this.subscribers.add(client);
        client.on('close', () => this.subscribers.delete(client));
        send(client, { t: 'snap', snap: this.snapshot() });
        return;
      case 'configure': {
        try {
          await this.configure(req.stage);
          return reply({ rc: 0 });
        } catch (error) {
          log('configure failed', String(error));
          return reply({ rc: 1, error: { code: 102, text: `Local address(port) already in use.` } });
        }
      }
      case 'primary': {
        const error = await this.promote(req.force);
        return error ? fail(error) : reply({ rc: 0 });
      }
      case 'secondary': {
        if (this.role === 'Secondary') return reply({ rc: 0 });
        if (req.held || this.held()) return fail(SS.DEVICE_IN_USE);
        this.role = 'Secondary';
        this.changed();
        this.sendState();
        return reply({ rc: 0 });
      }
      case 'down': {
        if (this.role === 'Primary' && (req.held || this.held())) return fail(SS.DEVICE_IN_USE);
        reply({ rc: 0 });
        await this.shutdown(0);
        return;
      }
      case 'disconnect': {
        for (const conn of this.conns.values()) {
          if (req.peer !== undefined && conn.peer.nodeId !== req.peer) continue;
          if (conn.state === 'StandAlone') continue;
          const wasConnected = conn.state === 'Connected';
          send(conn.sock, { t: 'bye' });
          conn.pendingSock?.destroy();
          conn.pendingSock = undefined;
          conn.state = 'Disconnecting';
          this.changed();
          this.lost(conn, 'Disconnecting');
          conn.state = 'StandAlone';
          this.changed();
          if (wasConnected && this.role === 'Primary') this.bumpGeneration();
        }
        return reply({ rc: 0 });
      }
      case 'connect': {
        for (const conn of this.conns.values()) {
          if (req.peer !== undefined && conn.peer.nodeId !== req.peer) continue;
          if (conn.state !== 'StandAlone') continue;
          conn.discardMyData = req.discardMyData;
          conn.state = 'Connecting';
        }
        this.changed();
        this.tick();
        return reply({ rc: 0 });
      }
      case 'outdate': {
        if (!this.stage.attach) return fail(SS.NO_LOCAL_DISK);
        if (this.role === 'Primary') return fail(SS.NO_UP_TO_DATE_DISK);
        if ([...this.conns.values()].some((c) => c.state === 'Connected')) return fail(SS.CONNECTED_OUTDATES);
        if (this.disk === 'Outdated') return reply({ rc: 0 });
        if (this.disk !== 'UpToDate' && this.disk !== 'Consistent') return fail(SS.LOWER_THAN_OUTDATED);
        this.disk = 'Outdated';
        this.persist();
        this.changed();
        return reply({ rc: 0 });
      }
      case 'new-current-uuid': {
        if (!this.stage.attach) return fail(SS.NO_LOCAL_DISK);
        // --clear-bitmap: skip the initial resync; connected Inconsistent peers adopt the new generation
        this.meta.history = [this.meta.gen, ...this.meta.history].slice(0, 32);
        this.meta.gen = newGeneration();
        this.meta.bumped = false;
        if (req.clearBitmap) this.disk = 'UpToDate';
        this.persist();
        for (const conn of this.conns.values()) {
          if (conn.state === 'Connected' && req.clearBitmap) {
            send(conn.sock, { t: 'sync-done', gen: this.meta.gen, history: this.meta.history });
            conn.peerDisk = 'UpToDate';
          }
        }
        this.changed();
        return reply({ rc: 0 });
      }
      default:
        return reply({ rc: 1, error: { code: 162, text: 'Invalid configuration request' } });
    }
  }

  private held(): boolean {
    return this.cfg.volumes.some((v) => isMounted(v.device) || isMounted(v.disk));
  }

  private async promote(force: boolean): Promise<StateError | undefined> {
    if (this.role === 'Primary') return undefined;
    const connected = [...this.conns.values()].filter((c) => c.state === 'Connected');
    const error = checkPromote({
      role: this.role,
      disk: this.stage.attach ? this.disk : 'Diskless',
      force,
      allowTwoPrimaries: this.allowTwoPrimaries,
      connectedPeers: connected.map((c) => ({ role: c.peerRole, disk: c.peerDisk })),
    });
    if (error) return error;
    // two-phase commit with the connected peers
    this.promoting = true;
    try {
      const answers = await Promise.all(
        connected.map(
          (conn) =>
            new Promise<boolean>((resolve) => {
              const tx = ++this.tx;
              const timeout = setTimeout(() => {
                this.waiting.delete(tx);
                // a peer that does not answer is being lost: decide as if it were gone
                resolve(conn.state !== 'Connected');
              }, this.args.sim.pingTimeoutMs + 500);
              this.waiting.set(tx, (ok) => {
                clearTimeout(timeout);
                this.waiting.delete(tx);
                resolve(ok);
              });
              send(conn.sock, { t: 'prepare', tx });
            }),
        ),
      );
      if (answers.some((ok) => !ok)) return SS.TWO_PRIMARIES;
    } finally {
      this.promoting = false;
    }
    if (force && this.disk !== 'UpToDate') {
      this.disk = 'UpToDate';
      this.meta.history = [this.meta.gen, ...this.meta.history].slice(0, 32);
      this.meta.gen = newGeneration();
      this.meta.bumped = true;
      this.persist();
    }
    this.role = 'Primary';
    this.changed();
    this.sendState();
    if (![...this.conns.values()].some((c) => c.state === 'Connected')) this.bumpGeneration();
    for (const conn of this.conns.values()) this.reconcile(conn);
    return undefined;
  }

  async shutdown(code: number): Promise<void> {
    log('down');
    if (this.timer) clearInterval(this.timer);
    this.role = 'Secondary';
    for (const conn of this.conns.values()) {
      send(conn.sock, { t: 'bye' });
      if (conn.syncTimer) clearInterval(conn.syncTimer);
    }
    this.persist();
    for (const sub of this.subscribers) {
      send(sub, { t: 'down' });
      sub.end();
    }
    await this.removeDeviceNodes().catch(() => undefined);
    for (const conn of this.conns.values()) {
      conn.sock?.end();
      conn.pendingSock?.destroy();
    }
    for (const server of this.listeners) server.close();
    this.control?.close();
    try {
      unlinkSync(socketPath(this.args.sim.stateDir, this.args.node, this.cfg.name));
    } catch {
      // already gone
    }
    setTimeout(() => process.exit(code), 50).unref();
  }
}

/** Entry point of the detached daemon: `node daemon.js '<DaemonArgs as JSON>'`. */
export async function main(argv: string[]): Promise<void> {
  const args = JSON.parse(argv[0] ?? '{}') as DaemonArgs;
  const daemon = new ResourceDaemon(args);
  try {
    await daemon.start();
    process.stdout.write('READY\n');
  } catch (error) {
    log('start failed', String(error));
    process.stderr.write(`${(error as Error).message}\n`);
    process.exitCode = 10;
    setTimeout(() => process.exit(10), 20);
  }
}
