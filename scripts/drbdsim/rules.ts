// SPDX-License-Identifier: GPL-2.0-or-later
// DRBD's state rules as pure functions (drbd.md §11): the connection handshake and promotion.
import { SS } from './format.js';
import type { DiskState, Role, StateError } from './types.js';

/**
 * Data generations stand for DRBD's UUIDs: `gen` is the current one, `history` the ones it descends from.
 * A node that was Primary without a connected peer has started a new generation (it may have written).
 */
export type Side = {
  nodeId: number;
  role: Role;
  disk: DiskState;
  gen: string;
  history: string[];
  /** `connect --discard-my-data`: this side is the split-brain victim */
  discardMyData: boolean;
};

export type Handshake = 'in-sync' | 'source' | 'target' | 'split-brain' | 'refused';

/** Disk states that hold a complete (possibly old) data set. */
export function hasConsistentData(disk: DiskState): boolean {
  return disk === 'UpToDate' || disk === 'Consistent' || disk === 'Outdated';
}

/**
 * The outcome of a connection handshake for `me` (the peer computes the mirror image): who resyncs from
 * whom, or a split brain when both sides started new generations since they last agreed.
 */
export function handshake(me: Side, peer: Side): Handshake {
  const mine = hasConsistentData(me.disk);
  const theirs = hasConsistentData(peer.disk);
  if (!mine && !theirs) return 'in-sync';
  if (!mine) return me.disk === 'Inconsistent' ? 'target' : 'in-sync';
  if (!theirs) return peer.disk === 'Inconsistent' ? 'source' : 'in-sync';
  if (me.gen === peer.gen) return 'in-sync';
  // "I shall become SyncTarget, but I am primary!": DRBD drops the connection
  if (peer.history.includes(me.gen)) return me.role === 'Primary' ? 'refused' : 'target';
  if (me.history.includes(peer.gen)) return peer.role === 'Primary' ? 'refused' : 'source';
  if (me.discardMyData && !peer.discardMyData && me.role !== 'Primary') return 'target';
  if (peer.discardMyData && !me.discardMyData && peer.role !== 'Primary') return 'source';
  return 'split-brain';
}

/** The disk state after an in-sync handshake: equal generations make Outdated/Consistent data UpToDate. */
export function diskAfterInSync(me: DiskState, peer: DiskState): DiskState {
  if (me === 'Outdated' || me === 'Consistent') {
    if (peer === 'UpToDate' || peer === 'Consistent') return 'UpToDate';
    if (me === 'Consistent' && peer === 'Outdated') return 'UpToDate';
  }
  return me;
}

export type PromoteInput = {
  role: Role;
  disk: DiskState;
  force: boolean;
  allowTwoPrimaries: boolean;
  /** roles and disks of the peers whose connection is Connected */
  connectedPeers: { role: Role; disk: DiskState }[];
};

/** Whether a promotion is allowed locally (before asking the peers): undefined, or the kernel's refusal. */
export function checkPromote(input: PromoteInput): StateError | undefined {
  if (input.role === 'Primary') return undefined;
  if (!input.allowTwoPrimaries && input.connectedPeers.some((p) => p.role === 'Primary')) return SS.TWO_PRIMARIES;
  if (input.force) return undefined;
  if (input.disk === 'UpToDate') return undefined;
  // Primary without local UpToDate data reads from an UpToDate peer (diskless or SyncTarget Primary)
  if (input.connectedPeers.some((p) => p.disk === 'UpToDate')) return undefined;
  return SS.NO_UP_TO_DATE_DISK;
}

/** Whether this node accepts a peer's promotion (the two-phase commit's prepare). */
export function acceptPeerPromotion(me: { role: Role; promoting: boolean; nodeId: number }, from: number, allowTwo: boolean): boolean {
  if (allowTwo) return true;
  if (me.role === 'Primary') return false;
  // two nodes promoting at once: the lower node id wins
  if (me.promoting && me.nodeId < from) return false;
  return true;
}

export function newGeneration(): string {
  let id = '';
  for (let i = 0; i < 16; i++) id += Math.floor(Math.random() * 16).toString(16);
  return id.toUpperCase();
}
