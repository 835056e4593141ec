// SPDX-License-Identifier: GPL-2.0-or-later
// The daemon's control socket: drbdadm/drbdsetup requests (one a connection, answered with one reply) and the
// events2 subscriptions. The state changes they ask for follow DRBD's refusals (drbd.md §10, §11).
import { existsSync, unlinkSync } from 'node:fs';
import net from 'node:net';
import { log } from './daemon-log.js';
import { SS } from './format.js';
import { frame, readMessages, send } from './framing.js';
import { volumesHeldOpen } from './host.js';
import type { LocalState } from './local-state.js';
import type { PeerLinks } from './peer-link.js';
import type { DaemonInfo, Event, Reply, Request, Stage } from './protocol.js';
import { checkPromote } from './rules.js';
import type { ResourceSnap, StateError } from './types.js';

// How long a failed disk shows as Failed before it is detached (long enough for an events2 reader to see it).
const FAILED_DISK_MS = 100;

/** What the control requests need of the daemon as a whole. */
export type DaemonControl = {
  snapshot(): ResourceSnap;
  info(): DaemonInfo;
  configure(stage: Stage): Promise<void>;
  shutdown(): Promise<void>;
};

export class ControlServer {
  private server: net.Server | undefined;
  private readonly subscribers = new Set<net.Socket>();

  constructor(
    private readonly socketFile: string,
    private readonly local: LocalState,
    private readonly peers: PeerLinks,
    private readonly daemon: DaemonControl,
  ) {}

  /** Listens on the control socket: from then on the resource is up for drbdadm. */
  async listen(): Promise<void> {
    if (existsSync(this.socketFile)) unlinkSync(this.socketFile);
    const server = net.createServer((client) => this.onClient(client));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.socketFile, () => resolve());
    });
  }

  /** The new state to every subscriber. */
  publish(snap: ResourceSnap): void {
    for (const sub of this.subscribers) send(sub, { t: 'snap', snap } satisfies Event);
  }

  /** Going down: subscribers get `down` (their events2 prints the destroy lines). */
  endSubscriptions(): void {
    for (const sub of this.subscribers) {
      send(sub, { t: 'down' } satisfies Event);
      sub.end();
    }
  }

  close(): void {
    this.server?.close();
    try {
      unlinkSync(this.socketFile);
    } catch {
      // already gone
    }
  }

  private onClient(client: net.Socket): void {
    client.on('error', () => undefined);
    let handled = false;
    readMessages<Request>(
      client,
      (req) => {
        if (handled) return;
        handled = true;
        void this.handle(client, req);
      },
      (error) => log('bad message', String(error)),
    );
  }

  private async handle(client: net.Socket, req: Request): Promise<void> {
    const reply = (r: Reply): void => {
      client.end(frame(r));
    };
    const fail = (error: StateError): void => reply({ rc: 1, error });
    const { local, peers } = this;
    switch (req.op) {
      case 'snapshot':
        return reply({ rc: 0, snap: this.daemon.snapshot() });
      case 'info':
        return reply({ rc: 0, info: this.daemon.info() });
      case 'subscribe':
        this.subscribers.add(client);
        client.on('close', () => this.subscribers.delete(client));
        send(client, { t: 'snap', snap: this.daemon.snapshot() } satisfies Event);
        return;
      case 'configure': {
        try {
          await this.daemon.configure(req.stage);
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
        if (local.role === 'Secondary') return reply({ rc: 0 });
        if (req.held || this.heldOpen()) return fail(SS.DEVICE_IN_USE);
        local.role = 'Secondary';
        local.changed();
        peers.sendState();
        return reply({ rc: 0 });
      }
      case 'down': {
        if (local.role === 'Primary' && (req.held || this.heldOpen())) return fail(SS.DEVICE_IN_USE);
        reply({ rc: 0 });
        await this.daemon.shutdown();
        return;
      }
      case 'disconnect':
        peers.disconnect(req.peer);
        return reply({ rc: 0 });
      case 'connect':
        peers.connect(req.peer, req.discardMyData);
        return reply({ rc: 0 });
      case 'outdate': {
        if (!local.stage.attach) return fail(SS.NO_LOCAL_DISK);
        if (local.role === 'Primary') return fail(SS.NO_UP_TO_DATE_DISK);
        if (peers.connected().length > 0) return fail(SS.CONNECTED_OUTDATES);
        if (local.disk === 'Outdated') return reply({ rc: 0 });
        if (local.disk !== 'UpToDate' && local.disk !== 'Consistent') return fail(SS.LOWER_THAN_OUTDATED);
        local.disk = 'Outdated';
        local.persist();
        local.changed();
        return reply({ rc: 0 });
      }
      case 'fail-disk': {
        // an I/O error on the backing disk with DRBD's default on-io-error detach: Failed, then Diskless (the
        // metadata keeps what it recorded; the role does not change)
        if (!local.stage.attach) return fail(SS.NO_LOCAL_DISK);
        local.disk = 'Failed';
        local.changed();
        peers.sendState();
        await new Promise((resolve) => setTimeout(resolve, FAILED_DISK_MS));
        local.stage.attach = false;
        local.changed();
        peers.sendState();
        return reply({ rc: 0 });
      }
      case 'new-current-uuid': {
        if (!local.stage.attach) return fail(SS.NO_LOCAL_DISK);
        // --clear-bitmap: skip the initial resync; connected Inconsistent peers adopt the new generation
        local.metadata.startGeneration(false);
        if (req.clearBitmap) local.disk = 'UpToDate';
        local.persist();
        if (req.clearBitmap) peers.skipResync();
        local.changed();
        return reply({ rc: 0 });
      }
      default:
        return reply({ rc: 1, error: { code: 162, text: 'Invalid configuration request' } });
    }
  }

  private heldOpen(): boolean {
    return volumesHeldOpen(this.local.config.volumes);
  }

  private async promote(force: boolean): Promise<StateError | undefined> {
    const { local, peers } = this;
    if (local.role === 'Primary') return undefined;
    const connected = peers.connected();
    const error = checkPromote({
      role: local.role,
      disk: local.visibleDisk,
      force,
      allowTwoPrimaries: local.allowTwoPrimaries,
      connectedPeers: connected.map((c) => ({ role: c.peerRole, disk: c.peerDisk })),
    });
    if (error) return error;
    local.promoting = true;
    try {
      if (!(await peers.agreeToPromote(connected))) return SS.TWO_PRIMARIES;
    } finally {
      local.promoting = false;
    }
    if (force && local.disk !== 'UpToDate') {
      local.disk = 'UpToDate';
      local.metadata.startGeneration(true);
      local.persist();
    }
    local.role = 'Primary';
    local.changed();
    peers.sendState();
    if (peers.connected().length === 0) local.bumpGeneration();
    peers.reconcileAll();
    return undefined;
  }
}
