// SPDX-License-Identifier: GPL-2.0-or-later
// Clone meta attributes: lib's typed defaults when Pacemaker passes none (pcs validation), and the DRBD checks
// that apply only to what Pacemaker did pass (reference drbd.md §4).
import { expect } from 'chai';
import { metaProblems } from '../../../agents/drbd/meta-checks.js';
import { META_DEFAULTS, parseMeta } from '../../../lib/ocf/meta.js';

const metaEnv = (values: Record<string, string>): NodeJS.ProcessEnv =>
  Object.fromEntries(Object.entries(values).map(([k, v]) => [`OCF_RESKEY_CRM_meta_${k}`, v]));
const check = (values: Record<string, string>, kernel: [number, number, number] | undefined = [9, 2, 6], ignore = false) =>
  metaProblems(parseMeta(metaEnv(values)), { kernel, ignoreMissingNotifications: ignore });

// What Pacemaker 2.1.5 passes to every action of the seed's clone (ocf.md §4.3).
const seedClone = {
  clone_max: '2',
  clone_node_max: '1',
  promoted_max: '1',
  promoted_node_max: '1',
  master_max: '1',
  master_node_max: '1',
  notify: 'true',
  globally_unique: 'false',
};

describe('drbd meta attributes', () => {
  describe('typed defaults (pcs validate-all passes no meta at all)', () => {
    it('defaults clone_max 2, clone_node_max 1, promoted_max 1, promoted_node_max 1, notify false', () => {
      const meta = parseMeta({});
      expect([meta.cloneMax, meta.cloneNodeMax, meta.promotedMax, meta.promotedNodeMax, meta.notify]).to.deep.equal([2, 1, 1, 1, false]);
      expect(META_DEFAULTS.cloneMax).to.equal(2);
      expect(meta.given.size).to.equal(0);
      expect(meta.isClone).to.equal(false);
    });

    it('reads the legacy master_* names when the promoted_* ones are absent', () => {
      const meta = parseMeta(metaEnv({ master_max: '2', master_node_max: '3' }));
      expect(meta.promotedMax).to.equal(2);
      expect(meta.promotedNodeMax).to.equal(3);
      expect(parseMeta(metaEnv({ promoted_max: '1', master_max: '2' })).promotedMax).to.equal(1);
    });
  });

  describe('checks', () => {
    it('finds nothing to object to without meta attributes, whatever the kernel (the seed\'s pcs line)', () => {
      expect(check({}, [8, 4, 11])).to.deep.equal([]);
      expect(check({}, undefined)).to.deep.equal([]);
    });

    it('accepts the seed\'s clone as Pacemaker passes it, on DRBD 9 and 8.4', () => {
      expect(check(seedClone)).to.deep.equal([]);
      expect(check(seedClone, [8, 4, 11])).to.deep.equal([]);
    });

    it('refuses clone-node-max and promoted-node-max other than 1', () => {
      expect(check({ ...seedClone, clone_node_max: '2' })).to.deep.equal(['meta parameter misconfigured, expected clone-node-max = 1, but found 2']);
      expect(check({ ...seedClone, promoted_node_max: '2', master_node_max: '2' })).to.deep.equal([
        'meta parameter misconfigured, expected promoted-node-max = 1, but found 2',
      ]);
      expect(check({ master_node_max: '2', notify: 'true' })).to.have.length(1);
    });

    it('refuses promoted-max above 2', () => {
      expect(check({ ...seedClone, promoted_max: '3', master_max: '3' })).to.deep.equal(['meta parameter misconfigured, expected promoted-max <= 2, but found 3']);
    });

    it('limits clone-max to 2 on DRBD 8 or with two Promoted instances, not on DRBD 9', () => {
      expect(check({ ...seedClone, clone_max: '3' })).to.deep.equal([]);
      expect(check({ ...seedClone, clone_max: '3' }, [8, 4, 11])).to.deep.equal(['meta parameter misconfigured, expected clone-max <= 2, but found 3']);
      expect(check({ ...seedClone, clone_max: '3', promoted_max: '2', master_max: '2' })).to.deep.equal([
        'meta parameter misconfigured, expected clone-max <= 2, but found 3',
      ]);
    });

    it('wants notify=true on a clone unless ignore_missing_notifications', () => {
      const noNotify = { ...seedClone, notify: 'false' };
      expect(check(noNotify)).to.deep.equal(['meta parameter misconfigured, expected notify=true on the clone (or ignore_missing_notifications=true)']);
      expect(check(noNotify, [9, 2, 6], true)).to.deep.equal([]);
      expect(check({ ...noNotify, notify_start_uname: 'fo1.home.dom' })).to.deep.equal([]);
    });
  });
});
