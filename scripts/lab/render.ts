// SPDX-License-Identifier: GPL-2.0-or-later
// The files a lab writes: corosync.conf, /etc/hosts, the initial CIB, each node's setup script and the init
// program. Pure functions of the plan.
import {
  CLIENT_DOMAIN,
  CLIENT_IP,
  CLUSTER_IP,
  REPL_DOMAIN,
  REPL_PREFIX,
  hostPart,
  type LabNode,
  type LabPlan,
} from './plan.js';

/** What a later issue adds to every node: extra mounts and commands, applied at each boot. */
export type NodeCustomization = {
  /** Bind mounts inside the node; the target must exist on the host (a file over a file, a folder over a folder). */
  readonly binds?: readonly { readonly source: string; readonly target: string; readonly readOnly?: boolean }[];
  /** Private, empty tmpfs folders inside the node (for example /var/spool/postfix). */
  readonly tmpfs?: readonly string[];
  /** Commands run inside the node after the mounts and before corosync starts, in order; each must exit 0. */
  readonly run?: readonly (readonly string[])[];
};

/** The fencing delay that decides which node survives a split of a two-node cluster (see fenceDelay). */
export const FENCE_DELAY = '5s';

export function corosyncConf(plan: LabPlan): string {
  const nodes = plan.nodes
    .map((n) => `  node {\n    ring0_addr: ${n.replIp}\n    name: ${n.name}\n    nodeid: ${n.index}\n  }\n`)
    .join('');
  // two_node (which implies wait_for_all) for two nodes; with more, wait_for_all alone, so that a cluster never
  // forms, and never fences a node it has not seen yet, before every node has started once.
  const quorum = plan.nodes.length === 2 ? '  two_node: 1\n' : '  wait_for_all: 1\n';
  return (
    `# written by tsha lab ${plan.name}: corosync on the replication network\n` +
    `totem {\n  version: 2\n  cluster_name: ${plan.name}\n  transport: knet\n  crypto_cipher: none\n  crypto_hash: none\n}\n` +
    `nodelist {\n${nodes}}\n` +
    `quorum {\n  provider: corosync_votequorum\n${quorum}}\n` +
    `logging {\n  to_logfile: yes\n  logfile: /var/log/cluster/corosync.log\n  to_syslog: no\n  to_stderr: no\n  timestamp: on\n}\n`
  );
}

export function hostsFile(plan: LabPlan, extra: readonly string[] = []): string {
  const lines = [
    '127.0.0.1\tlocalhost',
    '::1\tlocalhost ip6-localhost ip6-loopback',
    `# tsha lab ${plan.name}: lab-only addresses, configured inside the lab's namespaces alone`,
    ...plan.nodes.map((n) => `${n.clientIp}\t${n.name}.${CLIENT_DOMAIN} ${n.name}`),
    `${CLUSTER_IP}\tcluster.${CLIENT_DOMAIN} cluster`,
    ...plan.nodes.map((n) => `${REPL_PREFIX}.${hostPart(n.index)}\tfd${n.index}.${REPL_DOMAIN} fd${n.index}`),
    `${CLIENT_IP}\tclient.${CLIENT_DOMAIN} client`,
    ...extra,
  ];
  return `${lines.join('\n')}\n`;
}

function xmlAttr(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');
}

/**
 * The CIB every node starts from: fencing on, with the lab fence device, and a short dc-deadtime so that the
 * first election does not wait the default 20 s. The delay on fencing the first node makes it the survivor when
 * the two nodes of a two-node cluster shoot at each other (Pacemaker Explained, pcmk_delay_base).
 */
export function initialCib(plan: LabPlan, schema: string): string {
  const nv = (set: string, name: string, value: string) =>
    `          <nvpair id="${set}-${name}" name="${name}" value="${xmlAttr(value)}"/>\n`;
  const first = plan.nodes[0]?.name ?? '';
  return (
    `<cib validate-with="${schema}" admin_epoch="0" epoch="1" num_updates="0">\n` +
    `  <configuration>\n` +
    `    <crm_config>\n` +
    `      <cluster_property_set id="cib-bootstrap-options">\n` +
    nv('cib-bootstrap-options', 'stonith-enabled', 'true') +
    nv('cib-bootstrap-options', 'stonith-action', 'off') +
    nv('cib-bootstrap-options', 'dc-deadtime', '2s') +
    `      </cluster_property_set>\n` +
    `    </crm_config>\n` +
    `    <nodes/>\n` +
    `    <resources>\n` +
    `      <primitive id="fence-lab" class="stonith" type="fence_tsha_lab">\n` +
    `        <instance_attributes id="fence-lab-instance_attributes">\n` +
    nv('fence-lab-instance_attributes', 'lab_dir', plan.dir) +
    nv('fence-lab-instance_attributes', 'pcmk_host_list', plan.nodes.map((n) => n.name).join(' ')) +
    nv('fence-lab-instance_attributes', 'pcmk_delay_base', `${first}:${FENCE_DELAY}`) +
    `        </instance_attributes>\n` +
    `        <operations>\n` +
    `          <op id="fence-lab-monitor-interval-60s" name="monitor" interval="60s"/>\n` +
    `        </operations>\n` +
    `      </primitive>\n` +
    `    </resources>\n` +
    `    <constraints/>\n` +
    // what `pcs cluster setup` writes: a resource stays where it runs when its old node comes back, as in the seed
    `    <rsc_defaults>\n` +
    `      <meta_attributes id="build-resource-defaults">\n` +
    `        <nvpair id="build-resource-stickiness" name="resource-stickiness" value="1"/>\n` +
    `      </meta_attributes>\n` +
    `    </rsc_defaults>\n` +
    `  </configuration>\n` +
    `  <status/>\n` +
    `</cib>\n`
  );
}

/** The newest `pacemaker-X.Y` schema among file names of /usr/share/pacemaker. */
export function newestSchema(files: readonly string[]): string {
  const versions = files
    .map((f) => /^pacemaker-(\d+)\.(\d+)\.rng$/.exec(f))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => [Number(m[1]), Number(m[2])] as const)
    .sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const newest = versions.at(-1);
  return newest ? `pacemaker-${newest[0]}.${newest[1]}` : 'pacemaker-3.0';
}

/** POSIX shell quoting. */
export function shQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

const shLine = (argv: readonly string[]) => argv.map(shQuote).join(' ');

/** Runs inside the node's fresh mount and UTS namespaces, before corosync: the node's private view. */
export function setupScript(node: LabNode, custom: NodeCustomization = {}): string {
  const d = node.dir;
  const lines = [
    '#!/bin/sh',
    `# written by tsha lab: the private view of node ${node.name}; run by its init at each boot`,
    'set -eu',
    // /run holds Pacemaker's and libqb's runtime files, /dev/shm libqb's ring buffers, whose names carry PIDs
    // that repeat from one PID namespace to the next
    'mount -t tmpfs -o mode=0755,size=64m tmpfs /run',
    'mount -t tmpfs -o mode=1777,size=256m tmpfs /dev/shm',
    'mkdir -p /run/lock /run/resource-agents',
    'chmod 1777 /run/lock',
    'chmod 1755 /run/resource-agents',
    shLine(['mount', '--bind', `${d}/etc-corosync`, '/etc/corosync']),
    shLine(['mount', '--bind', `${d}/var-lib-corosync`, '/var/lib/corosync']),
    shLine(['mount', '--bind', `${d}/var-lib-pacemaker`, '/var/lib/pacemaker']),
    shLine(['mount', '--bind', node.logDir, '/var/log']),
    shLine(['mount', '--bind', `${d}/hosts`, '/etc/hosts']),
    shLine(['hostname', node.name]),
  ];
  for (const dir of custom.tmpfs ?? []) lines.push(shLine(['mkdir', '-p', dir]), shLine(['mount', '-t', 'tmpfs', 'tmpfs', dir]));
  for (const bind of custom.binds ?? []) {
    lines.push(shLine(['mount', '--bind', bind.source, bind.target]));
    if (bind.readOnly) lines.push(shLine(['mount', '-o', 'remount,bind,ro', bind.target]));
  }
  for (const argv of custom.run ?? []) lines.push(shLine(argv));
  return `${lines.join('\n')}\n`;
}

/**
 * PID 1 of every node (perl, which Debian always has). It holds the node's `alive` lock for as long as it runs,
 * runs the setup script, starts corosync then pacemakerd, reaps orphans, and acts as the node's power switch: when
 * the fence agent (running in another node) creates `power-off`, it cuts the node's links and kills every process
 * of its PID namespace, then exits, which releases the lock. Nothing inside the node can kill it: the kernel does
 * not deliver signals from inside a PID namespace to its init unless it handles them.
 */
export const INIT_PL = String.raw`#!/usr/bin/perl
# written by tsha lab: PID 1 of a lab node (see scripts/lab/render.ts)
use strict;
use warnings;
use Fcntl qw(:flock);
use POSIX qw(:sys_wait_h strftime);

my $dir = shift @ARGV or die "usage: init.pl NODE_DIR\n";
$| = 1;
sub say_ { print strftime('%H:%M:%S', localtime), " init: @_\n" }

open(my $alive, '>>', "$dir/alive") or die "init: $dir/alive: $!\n";
flock($alive, LOCK_EX) or die "init: lock: $!\n";
say_("node up, pid namespace init");

sub spawn {
  my @cmd = @_;
  my $pid = fork() // die "init: fork: $!\n";
  if ($pid == 0) { exec { $cmd[0] } @cmd or die "init: exec $cmd[0]: $!\n" }
  say_("started @cmd (pid $pid)");
  return $pid;
}

sub reap { 1 while waitpid(-1, WNOHANG) > 0 }

sub power_off {
  say_("power off requested");
  system('ip', 'link', 'del', $_) for qw(eth1 eth2);
  kill 'KILL', -1;
  1 while waitpid(-1, 0) > 0;
  unlink "$dir/power-off";
  say_("powered off");
  exit 0;
}

system('/bin/sh', "$dir/setup.sh") == 0 or die "init: setup.sh failed\n";
spawn('corosync', '-f');
for (1 .. 300) {
  reap();
  power_off() if -e "$dir/power-off";
  last if system('corosync-cmapctl -g totem.cluster_name >/dev/null 2>&1') == 0;
  select(undef, undef, undef, 0.1);
}
spawn('pacemakerd');
# orphans (a daemon's exited child, a service started through su) reaped as they exit, as a real init does: a
# zombie answers kill -0, and an agent that polls for its process to go would wait its whole poll interval
$SIG{CHLD} = \&reap;
while (1) {
  reap();
  power_off() if -e "$dir/power-off";
  select(undef, undef, undef, 0.2);
}
`;
