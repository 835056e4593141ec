// SPDX-License-Identifier: GPL-2.0-or-later
// The daemon's persistence: the resource's "on-disk" DRBD metadata on this node (store.ts keeps the file), what
// survives a down or a crash: the disk state and the data generations.
import { newGeneration } from './rules.js';
import { freshMeta, type Meta, readMeta, writeMeta } from './store.js';
import type { DiskState } from './types.js';

/** How many earlier generations are kept (DRBD keeps a bitmap UUID and a short history). */
const HISTORY = 32;

/** Disk states the metadata records; the others (Diskless, Attaching, …) exist only while attached. */
const RECORDED: ReadonlySet<DiskState> = new Set(['UpToDate', 'Outdated', 'Inconsistent', 'Consistent']);

export class Metadata {
  /** As read at start (fresh when there is none), then as changed; written by save(). */
  readonly meta: Meta;

  constructor(
    private readonly stateDir: string,
    private readonly node: string,
    private readonly res: string,
  ) {
    this.meta = readMeta(stateDir, node, res) ?? freshMeta();
  }

  /** Writes the metadata, with `disk` when it is a state the metadata records. */
  save(disk: DiskState): void {
    if (RECORDED.has(disk)) this.meta.disk = disk;
    writeMeta(this.stateDir, this.node, this.res, this.meta);
  }

  /** A new current generation; the current one joins the history. `bumped`: started while no peer agreed. */
  startGeneration(bumped: boolean): void {
    this.meta.history = [this.meta.gen, ...this.meta.history].slice(0, HISTORY);
    this.meta.gen = newGeneration();
    this.meta.bumped = bumped;
  }

  /** The peer's generations after a resync from it: our data is now its data. */
  adopt(gen: string, history: string[]): void {
    this.meta.gen = gen;
    this.meta.history = history;
    this.meta.bumped = false;
  }

  /** Agreed with a peer on the current generation. */
  agreed(): void {
    this.meta.bumped = false;
  }
}
