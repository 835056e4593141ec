// SPDX-License-Identifier: GPL-2.0-or-later
// The replication link of a resource: real TCP between the daemons on the addresses of drbd.conf, so a cut link or a
// crashed node is a lost connection. Listening, dialing (the lower node id dials), the hello handshake, pings and
// loss detection, the resync, and the two-phase promotion exchange.
import net from 'node:net';
import type { PeerConfig, SimEnv } from './config.js';
import { log } from './daemon-log.js';
import { readMessages, send } from './framing.js';
import type { LocalState } from './local-state.js';
import type { Hello, PeerMsg } from './protocol.js';
import { acceptPeerPromotion, diskAfterInSync, handshake } from './rules.js';
import type { ConnState, DiskState, ReplState, Role } from './types.js';

/** One connection to a peer, as drbdsetup shows it, and its sockets. */
export type Conn = {
  peer: PeerConfig;
  state: ConnState;
  peerRole: Role;
  peerDisk: DiskState;
  repl: ReplState;
  /** resync progress in percent while SyncSource/SyncTarget */
  done: number | undefined;
  sock: net.Socket | undefined;
  /** while Connecting: a dial or an accepted socket still in the handshake */
  pendingSock: net.Socket | undefined;
  lastRx: number;
  discardMyData: boolean;
  syncTimer: NodeJS.Timeout | undefined;
};

export class PeerLinks {
  private readonly conns = new Map<number, Conn>();
  private readonly listeners: net.Server[] = [];
  /** two-phase promotion: the prepare transactions waiting for the peer's answer */
  private tx = 0;
  private readonly waiting = new Map<number, (ok: boolean) => void>();

  constructor(
    private readonly local: LocalState,
    private readonly sim: Pick<SimEnv, 'pingTimeoutMs' | 'syncMs'>,
  ) {}

  /** Every connection, in drbd.conf's order of the peers (none before the network stage). */
  list(): Conn[] {
    return [...this.conns.values()];
  }

  connected(): Conn[] {
    return this.list().filter((c) => c.state === 'Connected');
  }

  /** The network stage: a Connecting connection per peer, and the listeners on our replication addresses. */
  async start(): Promise<void> {
    for (const peer of this.local.config.peers) {
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
  }

  private async listen(): Promise<void> {
    const seen = new Set<string>();
    for (const peer of this.local.config.peers) {
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

  private hello(conn: Conn): Hello {
    const s = this.local.side(conn.discardMyData);
    const res = this.local.config.name;
    return { t: 'hello', res, from: s.nodeId, to: conn.peer.nodeId, role: s.role, disk: s.disk, gen: s.gen, history: s.history, discard: s.discardMyData };
  }

  /** Every 500 ms: pings, loss detection, dialing (the node with the lower node id dials). */
  tick(): void {
    const now = Date.now();
    for (const conn of this.conns.values()) {
      if (conn.sock) {
        send(conn.sock, { t: 'ping' } satisfies PeerMsg);
        if (now - conn.lastRx > this.sim.pingTimeoutMs) this.lost(conn, 'Timeout');
        continue;
      }
      if (conn.state === 'Connecting' && !conn.pendingSock && this.local.config.nodeId < conn.peer.nodeId) this.dial(conn);
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
    readMessages<PeerMsg>(sock, (msg) => this.onMessage(conn, sock, msg), badMessage);
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
    readMessages<PeerMsg>(
      sock,
      (msg) => {
        if (!conn) {
          const { name, nodeId } = this.local.config;
          if (msg.t !== 'hello' || msg.res !== name || msg.to !== nodeId) return void sock.destroy();
          conn = this.conns.get(msg.from);
          if (!conn || conn.state !== 'Connecting' || conn.sock) return void sock.destroy();
          conn.pendingSock = sock;
          send(sock, this.hello(conn));
        }
        this.onMessage(conn, sock, msg);
      },
      badMessage,
    );
  }

  private onMessage(conn: Conn, sock: net.Socket, msg: PeerMsg): void {
    const local = this.local;
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
        local.changed();
        this.reconcile(conn);
        return;
      case 'prepare': {
        const me = { role: local.role, promoting: local.promoting, nodeId: local.config.nodeId };
        const ok = acceptPeerPromotion(me, conn.peer.nodeId, local.allowTwoPrimaries);
        send(sock, { t: 'prepared', tx: msg.tx, ok } satisfies PeerMsg);
        return;
      }
      case 'prepared':
        this.waiting.get(msg.tx)?.(msg.ok);
        return;
      case 'sync':
        if (conn.repl !== 'SyncTarget') {
          conn.repl = 'SyncTarget';
          local.disk = 'Inconsistent';
          local.persist();
        }
        conn.done = msg.done;
        local.changed();
        return;
      case 'sync-done':
        local.metadata.adopt(msg.gen, msg.history);
        local.disk = 'UpToDate';
        conn.repl = 'Established';
        conn.done = undefined;
        local.persist();
        local.changed();
        this.sendState();
        return;
      case 'bye':
        this.lost(conn, 'Unconnected');
        return;
      default:
        return;
    }
  }

  private established(conn: Conn, peer: Hello): void {
    const local = this.local;
    const me = local.side(conn.discardMyData);
    const outcome = handshake(me, { nodeId: peer.from, role: peer.role, disk: peer.disk, gen: peer.gen, history: peer.history, discardMyData: peer.discard });
    log('handshake with', conn.peer.name, outcome);
    if (outcome === 'split-brain' || outcome === 'refused') {
      conn.sock?.destroy();
      conn.sock = undefined;
      conn.state = 'StandAlone';
      local.changed();
      return;
    }
    conn.state = 'Connected';
    conn.peerRole = peer.role;
    conn.peerDisk = peer.disk;
    conn.discardMyData = false;
    conn.repl = 'Established';
    if (outcome === 'in-sync') {
      if (local.stage.attach) local.disk = diskAfterInSync(local.disk, peer.disk);
      local.metadata.agreed();
      local.persist();
      local.changed();
      this.sendState();
      return;
    }
    if (outcome === 'target') {
      // the peer has newer data: ours is Outdated until the resync makes it Inconsistent, then UpToDate
      local.disk = 'Outdated';
      conn.repl = 'WFBitMapT';
      local.persist();
      local.changed();
      this.sendState();
      return;
    }
    conn.repl = 'WFBitMapS';
    local.changed();
    this.startSync(conn);
  }

  /** SyncSource: a brief resync in four steps; the target follows the `sync` messages. */
  private startSync(conn: Conn): void {
    if (conn.syncTimer) return;
    const local = this.local;
    const steps = 4;
    let step = 0;
    conn.repl = 'SyncSource';
    conn.peerDisk = 'Inconsistent';
    conn.done = 0;
    local.changed();
    send(conn.sock, { t: 'sync', done: 0 } satisfies PeerMsg);
    conn.syncTimer = setInterval(
      () => {
        step++;
        if (step < steps) {
          conn.done = (100 * step) / steps;
          send(conn.sock, { t: 'sync', done: conn.done } satisfies PeerMsg);
          local.changed();
          return;
        }
        clearInterval(conn.syncTimer);
        conn.syncTimer = undefined;
        local.metadata.agreed();
        local.persist();
        this.sendGenerations(conn);
        conn.repl = 'Established';
        conn.peerDisk = 'UpToDate';
        conn.done = undefined;
        local.changed();
      },
      Math.max(50, Math.floor(this.sim.syncMs / steps)),
    );
  }

  /** Tells a peer our data is now its data (the end of a resync, or new-current-uuid --clear-bitmap). */
  private sendGenerations(conn: Conn): void {
    const { gen, history } = this.local.metadata.meta;
    send(conn.sock, { t: 'sync-done', gen, history } satisfies PeerMsg);
  }

  /** After a state change of either side: a connected peer that lacks our newer data resyncs from us. */
  private reconcile(conn: Conn): void {
    if (conn.state !== 'Connected' || conn.repl !== 'Established') return;
    if (this.local.disk === 'UpToDate' && conn.peerDisk === 'Inconsistent') this.startSync(conn);
  }

  reconcileAll(): void {
    for (const conn of this.conns.values()) this.reconcile(conn);
  }

  /** Our role and disk to every connected peer. */
  sendState(): void {
    const state = { t: 'state', role: this.local.role, disk: this.local.visibleDisk } satisfies PeerMsg;
    for (const conn of this.conns.values()) {
      if (conn.state === 'Connected') send(conn.sock, state);
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
      this.local.changed();
      return;
    }
    if (wasConnected) {
      log('connection to', conn.peer.name, 'lost:', why);
      conn.state = why;
      this.local.changed();
      if (this.local.role === 'Primary') this.local.bumpGeneration();
    }
    conn.state = 'Connecting';
    this.local.changed();
  }

  /** drbdsetup disconnect: StandAlone (every peer, or the one with node id `peer`). */
  disconnect(peer: number | undefined): void {
    for (const conn of this.conns.values()) {
      if (peer !== undefined && conn.peer.nodeId !== peer) continue;
      if (conn.state === 'StandAlone') continue;
      const wasConnected = conn.state === 'Connected';
      send(conn.sock, { t: 'bye' } satisfies PeerMsg);
      conn.pendingSock?.destroy();
      conn.pendingSock = undefined;
      conn.state = 'Disconnecting';
      this.local.changed();
      this.lost(conn, 'Disconnecting');
      conn.state = 'StandAlone';
      this.local.changed();
      if (wasConnected && this.local.role === 'Primary') this.local.bumpGeneration();
    }
  }

  /** drbdsetup connect: StandAlone connections go back to Connecting. */
  connect(peer: number | undefined, discardMyData: boolean): void {
    for (const conn of this.conns.values()) {
      if (peer !== undefined && conn.peer.nodeId !== peer) continue;
      if (conn.state !== 'StandAlone') continue;
      conn.discardMyData = discardMyData;
      conn.state = 'Connecting';
    }
    this.local.changed();
    this.tick();
  }

  /** new-current-uuid --clear-bitmap: connected peers take our new generation without a resync. */
  skipResync(): void {
    for (const conn of this.connected()) {
      this.sendGenerations(conn);
      conn.peerDisk = 'UpToDate';
    }
  }

  /**
   * The two-phase promotion: whether every peer in `conns` agrees. A peer that does not answer in time is being
   * lost: it counts as agreeing once it is no longer connected.
   */
  async agreeToPromote(conns: Conn[]): Promise<boolean> {
    const answers = await Promise.all(
      conns.map(
        (conn) =>
          new Promise<boolean>((resolve) => {
            const tx = ++this.tx;
            const timeout = setTimeout(() => {
              this.waiting.delete(tx);
              resolve(conn.state !== 'Connected');
            }, this.sim.pingTimeoutMs + 500);
            this.waiting.set(tx, (ok) => {
              clearTimeout(timeout);
              this.waiting.delete(tx);
              resolve(ok);
            });
            send(conn.sock, { t: 'prepare', tx } satisfies PeerMsg);
          }),
      ),
    );
    return answers.every(Boolean);
  }

  /** Going down, first step: a `bye` to every peer, no more resync. */
  sayBye(): void {
    for (const conn of this.conns.values()) {
      send(conn.sock, { t: 'bye' } satisfies PeerMsg);
      if (conn.syncTimer) clearInterval(conn.syncTimer);
    }
  }

  /** Going down, last step: close the sockets and the listeners. */
  close(): void {
    for (const conn of this.conns.values()) {
      conn.sock?.end();
      conn.pendingSock?.destroy();
    }
    for (const server of this.listeners) server.close();
  }
}

const badMessage = (error: unknown): void => log('bad message', String(error));
