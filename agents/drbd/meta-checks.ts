// SPDX-License-Identifier: GPL-2.0-or-later
// The clone meta attributes a DRBD clone needs (reference drbd.md §3 step 5, §4). Unlike drbd.ocf's meta_expect,
// a check applies only to a meta attribute Pacemaker actually passed: pcs runs validate-all with none at all,
// and an absent clone-max there is what made LINBIT's agent refuse the seed's resource
// ("expected clone-max -le 2, but found unset"). The typed defaults of lib/ocf/meta.ts fill in the rest.
import type { Meta } from '../../lib/ocf/meta.js';
import { isV9, type Version } from './version.js';

export type MetaCheckOptions = {
  /** The loaded module's version, when known (clone-max is limited for DRBD 8 only). */
  readonly kernel: Version | undefined;
  readonly ignoreMissingNotifications: boolean;
};

const given = (meta: Meta, ...names: string[]): boolean => names.some((n) => meta.given.has(n));

/** What is wrong with the clone meta attributes Pacemaker passed; empty when nothing is. */
export function metaProblems(meta: Meta, options: MetaCheckOptions): string[] {
  const problems: string[] = [];
  const expect = (what: string, expected: string, found: number): void => {
    problems.push(`meta parameter misconfigured, expected ${what} ${expected}, but found ${found}`);
  };
  if (given(meta, 'clone_node_max') && meta.cloneNodeMax !== 1) expect('clone-node-max', '= 1', meta.cloneNodeMax);
  if (given(meta, 'promoted_node_max', 'master_node_max') && meta.promotedNodeMax !== 1) {
    expect('promoted-node-max', '= 1', meta.promotedNodeMax);
  }
  if (given(meta, 'promoted_max', 'master_max') && meta.promotedMax > 2) expect('promoted-max', '<= 2', meta.promotedMax);
  // Two nodes is all DRBD 8 replicates to, and all a dual-Primary setup may span.
  const kernel8 = options.kernel !== undefined && !isV9(options.kernel);
  if (given(meta, 'clone_max') && meta.cloneMax > 2 && (kernel8 || meta.promotedMax === 2)) {
    expect('clone-max', '<= 2', meta.cloneMax);
  }
  const notifyKnown = meta.notify || meta.notifyData.start.uname.length > 0 || given(meta, 'notify_start_uname');
  if (meta.isClone && !notifyKnown && !options.ignoreMissingNotifications) {
    problems.push('meta parameter misconfigured, expected notify=true on the clone (or ignore_missing_notifications=true)');
  }
  return problems;
}
