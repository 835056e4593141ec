// SPDX-License-Identifier: GPL-2.0-or-later
// The promotion score (reference drbd.md §7): LINBIT's decision table as data, first matching row wins.
// Differences from drbd-utils 9.22, on purpose: an Attaching/Negotiating disk is transitional (the score is left
// alone) instead of counting as UpToDate (§5 bug); `remove_master_score_if_peer_primary=unexpected` is decided by
// the caller with Pacemaker 2.1's "Promoted" wording.
import { deriveFacts, type DrbdState, type Facts } from './model.js';

/** `adjust_master_score`: only_consistent, only_remote, local_ok, as_good_as_it_gets. */
export type ScoreWeights = {
  readonly onlyConsistent: number;
  readonly onlyRemote: number;
  readonly localOk: number;
  readonly asGoodAsItGets: number;
};

export const DEFAULT_ADJUST_MASTER_SCORE = '0 10 1000 10000';

/** Four non-decreasing integers, or a description of what is wrong. */
export function parseWeights(text: string): { ok: true; weights: ScoreWeights } | { ok: false; problem: string } {
  const words = text.trim().split(/\s+/).filter(Boolean);
  if (words.length !== 4 || !words.every((w) => /^-?\d+$/.test(w))) {
    return { ok: false, problem: `expected \`adjust_master_score\` to be four integers, got \`${text}\`` };
  }
  const [a, b, c, d] = words.map(Number) as [number, number, number, number];
  if (!(a <= b && b <= c && c <= d)) {
    return { ok: false, problem: `expected \`adjust_master_score\` to be non-decreasing, got \`${text}\`` };
  }
  return { ok: true, weights: { onlyConsistent: a, onlyRemote: b, localOk: c, asGoodAsItGets: d } };
}

export type ScoreInput = Facts & {
  /** `remove_master_score_if_peer_primary` is on (or `unexpected` and Pacemaker knows no Promoted instance). */
  readonly removeIfPeerPrimary: boolean;
};

/** set: store this score (a value ≤ 0 deletes it, as crm_master did); delete; keep: leave it as it is. */
export type ScoreDecision =
  | { readonly action: 'set'; readonly score: number; readonly rule: string }
  | { readonly action: 'delete'; readonly rule: string }
  | { readonly action: 'keep'; readonly rule: string };

type Outcome = { readonly set: (w: ScoreWeights) => number } | 'delete' | 'keep';

export type ScoreRule = {
  readonly rule: string;
  readonly when: (f: ScoreInput) => boolean;
  readonly then: Outcome;
};

export const SCORE_TABLE: readonly ScoreRule[] = [
  { rule: 'a device has no quorum', when: (f) => !f.quorum, then: 'delete' },
  {
    rule: 'Secondary next to a healthy Primary peer (remove_master_score_if_peer_primary)',
    when: (f) => f.removeIfPeerPrimary && !f.primary && f.somePeerPrimary && !f.anyPeerDiskUnknown,
    then: 'delete',
  },
  {
    rule: 'diskless client, Primary with a peer all UpToDate or all peers UpToDate',
    when: (f) => f.disklessClient && ((f.primary && f.somePeerAllUpToDate) || f.allPeerDisksUpToDate),
    then: { set: (w) => w.asGoodAsItGets - 1 },
  },
  { rule: 'diskless client, some peer UpToDate', when: (f) => f.disklessClient && f.somePeerAllUpToDate, then: { set: (w) => w.localOk - 1 } },
  { rule: 'diskless client without UpToDate peer', when: (f) => f.disklessClient, then: 'delete' },
  { rule: 'local disks UpToDate, Primary', when: (f) => f.allLocalUpToDate && f.primary, then: { set: (w) => w.asGoodAsItGets } },
  { rule: 'local disks UpToDate, Secondary, a peer disk unknown', when: (f) => f.allLocalUpToDate && f.anyPeerDiskUnknown, then: { set: (w) => w.localOk } },
  { rule: 'local disks UpToDate, Secondary, peer disks known', when: (f) => f.allLocalUpToDate, then: { set: (w) => w.asGoodAsItGets } },
  { rule: 'local disk not UpToDate, a peer all UpToDate', when: (f) => f.somePeerAllUpToDate, then: { set: (w) => w.onlyRemote } },
  { rule: 'local disk attaching or negotiating', when: (f) => f.transitional, then: 'keep' },
  { rule: 'local disks Consistent', when: (f) => f.allLocalConsistent, then: { set: (w) => w.onlyConsistent } },
  { rule: 'no access to UpToDate data', when: () => true, then: 'delete' },
];

export function decideScore(input: ScoreInput, weights: ScoreWeights): ScoreDecision {
  for (const row of SCORE_TABLE) {
    if (!row.when(input)) continue;
    if (row.then === 'delete' || row.then === 'keep') return { action: row.then, rule: row.rule };
    const score = row.then.set(weights);
    return score > 0 ? { action: 'set', score, rule: row.rule } : { action: 'delete', rule: row.rule };
  }
  return { action: 'delete', rule: 'no rule' };
}

/** The decision for a state: a resource that is down has no score. */
export function decideScoreForState(state: DrbdState, weights: ScoreWeights, removeIfPeerPrimary = false): ScoreDecision {
  if (!state.up) return { action: 'delete', rule: 'resource down' };
  return decideScore({ ...deriveFacts(state), removeIfPeerPrimary }, weights);
}
