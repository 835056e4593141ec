// SPDX-License-Identifier: GPL-2.0-or-later
import { expect } from 'chai';
import { META_DEFAULTS, parseMeta, parseMillis } from '../../../lib/ocf/meta.js';

describe('lib/ocf/meta', () => {
  it('gives every meta attribute its documented default when Pacemaker passes none (pcs validate-all)', () => {
    const meta = parseMeta({ OCF_RESKEY_CRM_meta_timeout: '20000' });
    expect(meta.cloneMax).to.equal(2); // the value linbit's agent leaves unset
    expect(meta.cloneNodeMax).to.equal(META_DEFAULTS.cloneNodeMax);
    expect(meta.promotedMax).to.equal(1);
    expect(meta.promotedNodeMax).to.equal(1);
    expect(meta.notify).to.equal(false);
    expect(meta.interval).to.equal(0);
    expect(meta.timeout).to.equal(20000);
    expect(meta.isClone).to.equal(false);
    expect(meta.promotable).to.equal(false);
    expect([...meta.given]).to.deep.equal(['timeout']);
  });

  it('reads clone, promotable and notify attributes, and the legacy master_* names', () => {
    const meta = parseMeta({
      OCF_RESKEY_CRM_meta_clone: '1',
      OCF_RESKEY_CRM_meta_clone_max: '3',
      OCF_RESKEY_CRM_meta_clone_node_max: '1',
      OCF_RESKEY_CRM_meta_master_max: '2',
      OCF_RESKEY_CRM_meta_master_node_max: '1',
      OCF_RESKEY_CRM_meta_notify: 'true',
      OCF_RESKEY_CRM_meta_interval: '31000',
    });
    expect(meta).to.include({ clone: 1, cloneMax: 3, promotedMax: 2, promotedNodeMax: 1, notify: true, interval: 31000, isClone: true, promotable: true });
  });

  it('prefers promoted_max over master_max', () => {
    expect(parseMeta({ OCF_RESKEY_CRM_meta_promoted_max: '1', OCF_RESKEY_CRM_meta_master_max: '2' }).promotedMax).to.equal(1);
  });

  it('parses notify variables into lists, with the legacy master/slave lists as fallback', () => {
    const { notifyData } = parseMeta({
      OCF_RESKEY_CRM_meta_notify_type: 'post',
      OCF_RESKEY_CRM_meta_notify_operation: 'promote',
      OCF_RESKEY_CRM_meta_notify_promote_uname: 'fo1 ',
      OCF_RESKEY_CRM_meta_notify_master_uname: 'fo1',
      OCF_RESKEY_CRM_meta_notify_slave_uname: 'fo2  fo3',
      OCF_RESKEY_CRM_meta_notify_active_resource: 'ClusterDrbd:0 ClusterDrbd:1',
    });
    expect(notifyData.type).to.equal('post');
    expect(notifyData.operation).to.equal('promote');
    expect(notifyData.promote.uname).to.deep.equal(['fo1']);
    expect(notifyData.promoted.uname).to.deep.equal(['fo1']);
    expect(notifyData.unpromoted.uname).to.deep.equal(['fo2', 'fo3']);
    expect(notifyData.active.resource).to.deep.equal(['ClusterDrbd:0', 'ClusterDrbd:1']);
  });

  it('reads durations in ms, with unit suffixes too', () => {
    expect(parseMillis('20000')).to.equal(20000);
    expect(parseMillis('30s')).to.equal(30000);
    expect(parseMillis('2m')).to.equal(120000);
    expect(parseMillis('soon')).to.equal(undefined);
    expect(parseMeta({ OCF_RESKEY_CRM_meta_timeout: 'soon' }).timeout).to.equal(20000);
  });
});
