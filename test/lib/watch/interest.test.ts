// SPDX-License-Identifier: GPL-2.0-or-later
import { expect } from 'chai';
import { mayReport } from '../../../lib/watch/cluster.js';
import { isSourceArgv } from '../../../lib/watch/daemon.js';
import {
  drbdEventResource,
  ipEventConcerns,
  mountEventConcerns,
  parseFindmntPollLine,
  parseIpMonitorLine,
  type Interest,
} from '../../../lib/watch/interest.js';
import { resourceOf, savedEnv } from '../../../lib/watch/registry.js';

// lines as iproute2 6.1 and util-linux 2.38 print them (captured on this machine)
const IP_LINES = {
  linkUp: '3: d0@d0p: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP group default \\    link/ether 36:28:c1:07:c9:bd brd ff:ff:ff:ff:ff:ff',
  noCarrier: '3: d0@d0p: <NO-CARRIER,BROADCAST,MULTICAST,UP,M-DOWN> mtu 1500 qdisc noqueue state LOWERLAYERDOWN group default \\    link/ether 36:28:c1:07:c9:bd brd ff:ff:ff:ff:ff:ff',
  adminDown: '3: d0@d0p: <BROADCAST,MULTICAST,M-DOWN> mtu 1500 qdisc noqueue state DOWN group default \\    link/ether 36:28:c1:07:c9:bd brd ff:ff:ff:ff:ff:ff',
  added: '3: d0    inet 10.9.9.9/24 scope global d0:x\\       valid_lft forever preferred_lft forever',
  deleted: 'Deleted 3: d0    inet 10.9.9.9/24 scope global d0:x\\       valid_lft forever preferred_lft forever',
  deleted6: 'Deleted 3: d0    inet6 2001:db8::5/64 scope global nodad \\       valid_lft forever preferred_lft forever',
};

describe('lib/watch: event lines and the filter', () => {
  it('reads ip -o monitor link lines: name without @peer, up and carrier from the flags', () => {
    expect(parseIpMonitorLine(IP_LINES.linkUp)).to.deep.equal({ type: 'link', deleted: false, nic: 'd0', up: true, carrier: true });
    expect(parseIpMonitorLine(IP_LINES.noCarrier)).to.deep.equal({ type: 'link', deleted: false, nic: 'd0', up: true, carrier: false });
    expect(parseIpMonitorLine(IP_LINES.adminDown)).to.deep.equal({ type: 'link', deleted: false, nic: 'd0', up: false, carrier: false });
  });

  it('reads ip -o monitor address lines, IPv4 and IPv6, added and deleted', () => {
    expect(parseIpMonitorLine(IP_LINES.added)).to.deep.equal({ type: 'addr', deleted: false, nic: 'd0', address: '10.9.9.9', prefix: 24 });
    expect(parseIpMonitorLine(IP_LINES.deleted)).to.deep.equal({ type: 'addr', deleted: true, nic: 'd0', address: '10.9.9.9', prefix: 24 });
    expect(parseIpMonitorLine(IP_LINES.deleted6)).to.deep.include({ deleted: true, address: '2001:db8::5', prefix: 64 });
    expect(parseIpMonitorLine('')).to.equal(undefined);
    expect(parseIpMonitorLine('10.0.0.1 dev eth0 lladdr 00:11:22:33:44:55 REACHABLE')).to.equal(undefined);
  });

  it('passes only events that may be a failure of the address', () => {
    const on: Interest & { kind: 'ip' } = { kind: 'ip', address: '10.9.9.9', nic: 'd0' };
    const anyNic: Interest & { kind: 'ip' } = { kind: 'ip', address: '10.9.9.9', nic: undefined };
    const concerns = (i: Interest & { kind: 'ip' }, line: string) => ipEventConcerns(i, parseIpMonitorLine(line)!);
    expect(concerns(on, IP_LINES.deleted)).to.equal(true);
    expect(concerns(anyNic, IP_LINES.deleted)).to.equal(true);
    expect(concerns(on, IP_LINES.added)).to.equal(false);
    expect(concerns(on, IP_LINES.linkUp)).to.equal(false);
    expect(concerns(on, IP_LINES.noCarrier)).to.equal(true);
    expect(concerns(on, IP_LINES.adminDown)).to.equal(true);
    expect(concerns({ ...on, nic: 'eth1' }, IP_LINES.deleted)).to.equal(false);
    expect(concerns({ ...on, address: '10.9.9.10' }, IP_LINES.deleted)).to.equal(false);
  });

  it('reads findmnt --poll lines (raw: blanks escaped) and passes umount and move of the directory', () => {
    expect(parseFindmntPollLine('umount /data /dev/drbd1 ')).to.deep.equal({ action: 'umount', target: '/data', source: '/dev/drbd1', oldTarget: undefined });
    expect(parseFindmntPollLine('move /srv/a\\x20b x /data')).to.deep.equal({ action: 'move', target: '/srv/a b', source: 'x', oldTarget: '/data' });
    expect(parseFindmntPollLine('ACTION TARGET')).to.equal(undefined);
    const i: Interest & { kind: 'mount' } = { kind: 'mount', directory: '/data', device: '/dev/drbd1' };
    const concerns = (line: string) => mountEventConcerns(i, parseFindmntPollLine(line)!);
    expect(concerns('umount /data /dev/drbd1')).to.equal(true);
    expect(concerns('move /elsewhere /dev/drbd1 /data')).to.equal(true);
    expect(concerns('mount /data /dev/drbd1')).to.equal(false);
    expect(concerns('umount /data2 /dev/drbd2')).to.equal(false);
  });

  it('names the resource of an events2 line', () => {
    expect(drbdEventResource('change peer-device name:drbddata peer-node-id:1 conn-name:fo2 volume:0 replication:Established')).to.equal('drbddata');
    expect(drbdEventResource('exists -')).to.equal(undefined);
  });

  it('recognises its event sources by argv, also through a wrapper', () => {
    expect(isSourceArgv(['ip', '-o', 'monitor', 'link', 'address'])).to.equal(true);
    expect(isSourceArgv(['/usr/bin/node', '/x/drbdsetup', 'events2', 'all'])).to.equal(true);
    expect(isSourceArgv(['ip', 'monitor'])).to.equal(false);
    expect(isSourceArgv(['sh', '-c', 'events2 all'])).to.equal(false);
  });
});

describe('lib/watch: registration and the cluster verdict', () => {
  it('keeps the OCF environment less the operation timing', () => {
    const env = savedEnv({
      OCF_ROOT: '/usr/lib/ocf',
      OCF_RESOURCE_INSTANCE: 'ClusterDrbd:0',
      OCF_RESKEY_drbd_resource: 'r0',
      OCF_RESKEY_CRM_meta_timeout: '20000',
      OCF_RESKEY_CRM_meta_interval: '0',
      OCF_RESKEY_CRM_meta_notify: 'true',
      HA_RSCTMP: '/run/resource-agents',
      HOME: '/root',
    });
    expect(env).to.deep.equal({
      OCF_ROOT: '/usr/lib/ocf',
      OCF_RESOURCE_INSTANCE: 'ClusterDrbd:0',
      OCF_RESKEY_drbd_resource: 'r0',
      OCF_RESKEY_CRM_meta_notify: 'true',
      HA_RSCTMP: '/run/resource-agents',
    });
    expect(resourceOf('ClusterDrbd:0')).to.equal('ClusterDrbd');
    expect(resourceOf('ClusterIP')).to.equal('ClusterIP');
  });

  const xml = (opts: { mm?: string; standby?: string; shutdown?: string; managed?: string; on?: string } = {}) => `<pacemaker-result>
  <summary><cluster_options stonith-enabled="true" maintenance-mode="${opts.mm ?? 'false'}"/></summary>
  <nodes>
    <node name="fo1" id="1" online="true" standby="${opts.standby ?? 'false'}" maintenance="false" shutdown="${opts.shutdown ?? 'false'}"/>
    <node name="fo2" id="2" online="true" standby="false" maintenance="false" shutdown="false"/>
  </nodes>
  <resources>
    <clone id="ClusterDrbd-clone" multi_state="true" managed="${opts.managed ?? 'true'}">
      <resource id="ClusterDrbd" resource_agent="ocf:tsha:drbd" role="Promoted" active="true" managed="${opts.managed ?? 'true'}" failed="false">
        <node name="${opts.on ?? 'fo1'}" id="1" cached="true"/>
      </resource>
      <resource id="ClusterDrbd" resource_agent="ocf:tsha:drbd" role="Unpromoted" active="true" managed="true" failed="false">
        <node name="fo2" id="2" cached="true"/>
      </resource>
    </clone>
    <resource id="ClusterIP" resource_agent="ocf:tsha:IPaddr2" role="Started" active="true" managed="true" failed="false">
      <node name="fo1" id="1" cached="true"/>
    </resource>
  </resources>
</pacemaker-result>`;

  it('lets the watch report only a managed resource running on an active node of a cluster out of maintenance', () => {
    expect(mayReport(xml(), 'ClusterIP', 'fo1')).to.deep.equal({ act: true });
    expect(mayReport(xml(), 'ClusterDrbd', 'fo1')).to.deep.equal({ act: true });
    expect(mayReport(xml({ mm: 'true' }), 'ClusterIP', 'fo1').act).to.equal(false);
    expect(mayReport(xml({ standby: 'true' }), 'ClusterIP', 'fo1').act).to.equal(false);
    expect(mayReport(xml({ shutdown: 'true' }), 'ClusterIP', 'fo1').act).to.equal(false);
    expect(mayReport(xml({ managed: 'false' }), 'ClusterDrbd', 'fo1').act).to.equal(false);
    expect(mayReport(xml({ on: 'fo3' }), 'ClusterDrbd', 'fo1').act).to.equal(false);
    expect(mayReport(xml(), 'ClusterIP', 'fo2').act).to.equal(false);
    expect(mayReport('', 'ClusterIP', 'fo1').act).to.equal(false);
  });
});
