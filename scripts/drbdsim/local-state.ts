// SPDX-License-Identifier: GPL-2.0-or-later
// The local side of a resource in its daemon: role, disk state, how far it is set up, its metadata. The peer link
// and the control requests change it; every change is reported to the daemon (which tells the subscribers).
import type { ResourceConfig } from './config.js';
import { log } from './daemon-log.js';
import type { Metadata } from './metadata.js';
import type { Stage } from './protocol.js';
import { hasConsistentData, type Side } from './rules.js';
import type { DiskState, Role } from './types.js';

export class LocalState {
  role: Role = 'Secondary';
  /** the attached disk's state (Diskless before attach; see `visibleDisk`) */
  disk: DiskState = 'Diskless';
  readonly stage: Stage = { minors: false, attach: false, net: false };
  /** between a promotion's local check and the peers' answers (the two-phase exchange) */
  promoting = false;

  constructor(
    readonly config: ResourceConfig,
    readonly metadata: Metadata,
    private readonly onChange: () => void,
  ) {}

  /** The disk state as the kernel shows it: Diskless until attached. */
  get visibleDisk(): DiskState {
    return this.stage.attach ? this.disk : 'Diskless';
  }

  get allowTwoPrimaries(): boolean {
    return this.config.peers.some((p) => p.options['allow-two-primaries'] === 'yes');
  }

  /** This side for a connection handshake. */
  side(discardMyData: boolean): Side {
    const { gen, history } = this.metadata.meta;
    return { nodeId: this.config.nodeId, role: this.role, disk: this.visibleDisk, gen, history, discardMyData };
  }

  /** Something changed (the daemon publishes the new state if it differs). */
  changed(): void {
    this.onChange();
  }

  /** Writes the metadata once a disk is attached (before, there is no "on-disk" metadata in use). */
  persist(): void {
    if (this.stage.attach) this.metadata.save(this.disk);
  }

  /** attach: the disk comes up in the state its metadata recorded. */
  attach(): void {
    this.stage.attach = true;
    const meta = this.metadata.meta;
    const fencing = this.config.peers.some((p) => ['resource-only', 'resource-and-stonith'].includes(p.options.fencing ?? ''));
    // with fencing, UpToDate data whose peer is not known Outdated comes up Consistent (drbd.md §11)
    this.disk = meta.disk === 'UpToDate' && fencing && !meta.peerOutdated ? 'Consistent' : meta.disk;
  }

  /** Starts a new data generation once per disconnected period (a Primary without peer may write). */
  bumpGeneration(): void {
    const meta = this.metadata.meta;
    if (meta.bumped || !hasConsistentData(this.disk)) return;
    this.metadata.startGeneration(true);
    meta.peerOutdated = false;
    this.persist();
    log('new data generation', meta.gen);
  }
}
