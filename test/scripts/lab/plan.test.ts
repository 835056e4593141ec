// SPDX-License-Identifier: GPL-2.0-or-later
// The lab's pure parts: the plan, the files it writes, the crm_mon parser, the fence agent's option parsing.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { execa } from 'execa';
import { parseCrmMon, parseFenceHistory } from '../../../scripts/lab/crm.js';
import { parseFenceOptions } from '../../../scripts/lab/fence.js';
import { shim, shimTarget } from '../../../scripts/lab/install.js';
import { labOfNode } from '../../../scripts/lab/lab.js';
import { CLUSTER_IP, labPlan } from '../../../scripts/lab/plan.js';
import { corosyncConf, hostsFile, initialCib, newestSchema, setupScript, shQuote } from '../../../scripts/lab/render.js';

const fixtures = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../test/fixtures/lab');

describe('lab plan', () => {
  it('names nodes fo1..foN with the seed addresses, never giving a node the floating .73', () => {
    const plan = labPlan({ nodes: 5 });
    expect(plan.nodes.map((n) => n.name)).to.deep.equal(['fo1', 'fo2', 'fo3', 'fo4', 'fo5']);
    expect(plan.nodes.map((n) => n.clientIp)).to.deep.equal(['192.168.1.71', '192.168.1.72', '192.168.1.74', '192.168.1.75', '192.168.1.76']);
    expect(plan.nodes.map((n) => n.replIp)).to.deep.equal(['192.168.2.71', '192.168.2.72', '192.168.2.74', '192.168.2.75', '192.168.2.76']);
    expect(plan.nodes.map((n) => n.clientIp)).to.not.include(CLUSTER_IP);
    expect(plan.dir).to.equal('/var/lib/tsha-lab/fo');
    expect(plan.nodes[1]?.netns).to.equal('tsha-fo-fo2');
  });

  it('refuses node counts outside 2..5 and names that would not make interface names', () => {
    expect(() => labPlan({ nodes: 1 })).to.throw(/--nodes .* from 2 to 5, got `1`/);
    expect(() => labPlan({ nodes: 6 })).to.throw(/got `6`/);
    expect(() => labPlan({ name: 'Fo' })).to.throw(/lab name/);
    expect(() => labPlan({ name: 'lab2' })).to.throw(/lab name/);
    expect(() => labPlan({ name: 'muchtoolong' })).to.throw(/lab name/);
  });

  it('finds the lab of a node name', () => {
    expect(labOfNode('fo2')).to.equal('fo');
    expect(labOfNode('tlab12')).to.equal('tlab');
  });
});

describe('lab files', () => {
  it('puts corosync on the replication network, two_node for two nodes and wait_for_all beyond', async () => {
    const two = corosyncConf(labPlan({ nodes: 2 }));
    expect(two).to.include('ring0_addr: 192.168.2.71\n    name: fo1\n    nodeid: 1');
    expect(two).to.include('two_node: 1');
    const three = corosyncConf(labPlan({ nodes: 3 }));
    expect(three).to.not.include('two_node');
    expect(three).to.include('wait_for_all: 1');
  });

  it('writes a hosts file like the seed: nodes, cluster, replication names and the client', () => {
    const hosts = hostsFile(labPlan({ nodes: 2 }), ['192.168.1.110\tservermail.home.dom home.dom']);
    expect(hosts).to.include('192.168.1.71\tfo1.home.dom fo1\n');
    expect(hosts).to.include('192.168.1.72\tfo2.home.dom fo2\n');
    expect(hosts).to.include('192.168.1.73\tcluster.home.dom cluster\n');
    expect(hosts).to.include('192.168.2.72\tfd2.data.dom fd2\n');
    expect(hosts).to.include('192.168.1.100\tclient.home.dom client\n');
    expect(hosts).to.match(/servermail\.home\.dom home\.dom\n$/);
  });

  it('writes an initial CIB that Pacemaker accepts, with fencing on and a delay on fencing the first node', async () => {
    const plan = labPlan({ nodes: 3 });
    const schemas = await import('node:fs/promises').then((fs) => fs.readdir('/usr/share/pacemaker'));
    const cib = initialCib(plan, newestSchema(schemas));
    expect(cib).to.include('name="stonith-enabled" value="true"');
    expect(cib).to.include('name="pcmk_host_list" value="fo1 fo2 fo3"');
    expect(cib).to.include('name="pcmk_delay_base" value="fo1:5s"');
    expect(cib).to.include('name="lab_dir" value="/var/lib/tsha-lab/fo"');
    expect(cib).to.include('name="resource-stickiness" value="1"');
    // crm_verify checks it against the installed schema, as the CIB manager will
    const verify = await execa('crm_verify', ['--xml-pipe', '--verbose'], { input: cib, reject: false });
    expect(verify.exitCode, verify.stderr).to.equal(0);
  });

  it('picks the newest pacemaker schema', () => {
    expect(newestSchema(['pacemaker-3.10.rng', 'pacemaker-3.9.rng', 'pacemaker-2.0.rng', 'pacemaker-next.rng'])).to.equal('pacemaker-3.10');
    expect(newestSchema([])).to.equal('pacemaker-3.0');
  });

  it('mounts private /run, /dev/shm and per-node folders, then applies customizations in order', () => {
    const node = labPlan({ nodes: 2 }).nodes[0]!;
    const script = setupScript(node, { tmpfs: ['/var/spool/x'], binds: [{ source: '/opt/sim drbdadm', target: '/usr/sbin/drbdadm', readOnly: true }], run: [['echo', "it's"]] });
    const lines = script.split('\n');
    expect(lines).to.include('mount -t tmpfs -o mode=0755,size=64m tmpfs /run');
    expect(lines).to.include('mount --bind /var/lib/tsha-lab/fo/nodes/fo1/var-lib-pacemaker /var/lib/pacemaker');
    expect(lines).to.include('mount --bind /var/lib/tsha-lab/fo/logs/fo1 /var/log');
    expect(lines).to.include('hostname fo1');
    expect(lines.indexOf("mount --bind '/opt/sim drbdadm' /usr/sbin/drbdadm")).to.be.greaterThan(lines.indexOf('hostname fo1'));
    expect(lines).to.include('mount -o remount,bind,ro /usr/sbin/drbdadm');
    expect(lines.at(-2)).to.equal(`echo 'it'\\''s'`);
  });

  it('quotes shell words', async () => {
    for (const word of ['plain', 'with space', "it's", '$HOME', '', 'a"b']) {
      const echoed = await execa('sh', ['-c', `printf %s ${shQuote(word)}`]);
      expect(echoed.stdout).to.equal(word);
    }
  });
});

describe('lab crm_mon and fence history parsing', () => {
  it('reads the DC, online nodes and where resources run', async () => {
    const status = parseCrmMon(await readFile(path.join(fixtures, 'crm_mon-3nodes.xml'), 'utf8'));
    expect(status.dc).to.be.a('string');
    expect(status.quorum).to.equal(true);
    expect(status.nodes.map((n) => [n.name, n.online])).to.deep.equal([['fo1', true], ['fo2', true], ['fo3', true]]);
    expect(status.resources.map((r) => r.id)).to.deep.equal(['fence-lab', 'd1']);
    expect(status.resources[1]?.agent).to.equal('ocf:heartbeat:Dummy');
    expect(status.resources[1]?.nodes).to.have.length(1);
  });

  it('sees a fenced node offline and the fence event', async () => {
    const text = await readFile(path.join(fixtures, 'crm_mon-fenced.xml'), 'utf8');
    const status = parseCrmMon(text);
    expect(status.dc).to.equal('fo2');
    expect(status.nodes.find((n) => n.name === 'fo3')?.online).to.equal(false);
    expect(status.resources.find((r) => r.id === 'd1')?.nodes).to.deep.equal(['fo2']);
    const history = parseFenceHistory(await readFile(path.join(fixtures, 'fence-history.xml'), 'utf8'));
    expect(history).to.deep.equal([{ target: 'fo3', action: 'off', status: 'success', delegate: 'fo1', origin: 'fo2', completed: Date.UTC(2026, 10, 26, 1, 9, 47) }]);
  });

  it('reads the failed actions', () => {
    const status = parseCrmMon(
      '<pacemaker-result><nodes></nodes><resources></resources><failures>' +
        '<failure op_key="ClusterIP_monitor_30000" node="fo1" exitstatus="not running" exitreason="" exitcode="7" call="12" status="complete"/>' +
        '</failures></pacemaker-result>',
    );
    expect(status.failures).to.deep.equal([{ op: 'ClusterIP_monitor_30000', node: 'fo1' }]);
    expect(parseCrmMon('<pacemaker-result><nodes></nodes><resources></resources></pacemaker-result>').failures).to.deep.equal([]);
  });

  it('reports no DC while none is elected', () => {
    const status = parseCrmMon('<pacemaker-result><summary><current_dc present="false"/></summary><nodes></nodes><resources></resources></pacemaker-result>');
    expect(status.dc).to.equal(undefined);
    expect(status.nodes).to.deep.equal([]);
  });
});

describe('fence_tsha_lab options', () => {
  it('reads name=value lines from stdin, as the fencer sends them', () => {
    const options = parseFenceOptions([], 'action=off\nport=fo2\nnodename=fo2\nlab_dir=/var/lib/tsha-lab/fo\npower_timeout=7\n');
    expect(options).to.deep.equal({ action: 'off', plug: 'fo2', labDir: '/var/lib/tsha-lab/fo', powerTimeout: 7 });
  });

  it('takes the command line over stdin, in short, long and = forms', () => {
    expect(parseFenceOptions(['-o', 'status', '-n', 'fo1', '--lab-dir=/x'], 'action=off\nplug=fo2')).to.deep.equal({ action: 'status', plug: 'fo1', labDir: '/x', powerTimeout: 20 });
    expect(parseFenceOptions(['metadata'], '').action).to.equal('metadata');
    expect(parseFenceOptions([], 'option=reboot').action).to.equal('reboot');
  });

  it('recognizes its own shims and what they run', () => {
    expect(shimTarget(shim('/usr/bin/node', '/usr/lib/tsha/dist/scripts/lab/fence_tsha_lab.js'))).to.equal('/usr/lib/tsha/dist/scripts/lab/fence_tsha_lab.js');
    expect(shimTarget('#!/bin/sh\nexec something\n')).to.equal(undefined);
  });
});
