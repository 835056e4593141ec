// SPDX-License-Identifier: GPL-2.0-or-later
// The simulated DRBD "kernel" of one resource on one node: a detached process started by `drbdadm up`.
// It answers drbdadm/drbdsetup on a unix socket in the shared state folder (control.ts) and talks to the peers over
// real TCP on the replication addresses of drbd.conf (peer-link.ts). This class wires the parts together: the
// set-up stages, the state published to subscribers, start and shutdown.
import { ControlServer } from './control.js';
import { log } from './daemon-log.js';
import { devIdentity, makeDeviceNodes, removeDeviceNodes } from './device-nodes.js';
import { LocalState } from './local-state.js';
import { Metadata } from './metadata.js';
import { PeerLinks } from './peer-link.js';
import type { DaemonArgs, DaemonInfo, Stage } from './protocol.js';
import { resourceSnapshot } from './snapshot.js';
import { socketPath } from './store.js';
import type { ResourceSnap } from './types.js';

/** How often connections are pinged, checked for loss and dialed. */
const TICK_MS = 500;

export class ResourceDaemon {
  private readonly local: LocalState;
  private readonly peers: PeerLinks;
  private readonly control: ControlServer;
  /** which /dev this daemon sees: device nodes stay while a node sharing it is up */
  private readonly devId = devIdentity();
  private lastSnap = '';
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly args: DaemonArgs) {
    const { config, sim, node } = args;
    this.local = new LocalState(config, new Metadata(sim.stateDir, node, config.name), () => this.changed());
    this.peers = new PeerLinks(this.local, sim);
    this.control = new ControlServer(socketPath(sim.stateDir, node, config.name), this.local, this.peers, {
      snapshot: () => this.snapshot(),
      info: () => this.info(),
      configure: (stage) => this.configure(stage),
      shutdown: () => this.shutdown(0),
    });
  }

  snapshot(): ResourceSnap {
    return resourceSnapshot(this.local, this.peers.list());
  }

  private info(): DaemonInfo {
    return { pid: process.pid, node: this.args.node, devId: this.devId, meta: this.local.metadata.meta };
  }

  /** Pushes the new state to events2 subscribers when it changed. */
  private changed(): void {
    const snap = this.snapshot();
    const text = JSON.stringify(snap);
    if (text === this.lastSnap) return;
    this.lastSnap = text;
    this.control.publish(snap);
  }

  async start(): Promise<void> {
    // configure first: the control socket is the sign of a resource that is up (drbdadm waits for it)
    await this.configure(this.args.stage);
    await this.control.listen();
    this.timer = setInterval(() => this.peers.tick(), TICK_MS);
    process.on('SIGTERM', () => void this.shutdown(0));
    log('up', this.args.config.name, 'node', this.args.node, 'pid', process.pid);
  }

  /** Goes on to a later stage (new-minor, attach, net); a stage already reached stays as it is. */
  private async configure(stage: Stage): Promise<void> {
    const { local } = this;
    if (stage.minors && !local.stage.minors) {
      local.stage.minors = true;
      makeDeviceNodes(this.args.config.volumes);
    }
    if (stage.attach && !local.stage.attach) {
      local.attach();
      this.changed();
    }
    if (stage.net && !local.stage.net) {
      local.stage.net = true;
      await this.peers.start();
      this.changed();
      this.peers.tick();
    }
    this.changed();
  }

  async shutdown(code: number): Promise<void> {
    log('down');
    if (this.timer) clearInterval(this.timer);
    this.local.role = 'Secondary';
    this.peers.sayBye();
    this.local.persist();
    this.control.endSubscriptions();
    const { config, sim, node } = this.args;
    await removeDeviceNodes(config.volumes, { stateDir: sim.stateDir, node, res: config.name, devId: this.devId }).catch(() => undefined);
    this.peers.close();
    this.control.close();
    setTimeout(() => process.exit(code), 50).unref();
  }
}

/** Entry point of the detached daemon: `node daemon-main.js '<DaemonArgs as JSON>'`. */
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
