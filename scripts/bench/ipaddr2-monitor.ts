// SPDX-License-Identifier: GPL-2.0-or-later
// Monitor latency of ocf:tsha:IPaddr2 against ocf:heartbeat:IPaddr2 on the same address, side by side in one
// run: a throw-away namespace with eth1 and the seed's VIP, then RUNS monitors of each agent, interleaved so
// that both see the same machine load. Prints the medians and the ratio tsha/heartbeat. Needs root and
// `make install` (it runs the installed agents). Usage: node dist/scripts/bench/ipaddr2-monitor.js [RUNS]
import { execa } from 'execa';
import { killNetns } from '../lab/sys.js';
import { report, timeInterleaved, type Candidate } from './measure.js';

const RUNS = Number(process.argv[2] ?? 20);
const NS = `tsha-${process.pid}-bench`;
const TSHA = '/usr/lib/ocf/resource.d/tsha/IPaddr2';
const HEARTBEAT = '/usr/lib/ocf/resource.d/heartbeat/IPaddr2';
const SEED = { ip: '192.168.1.73', nic: 'eth1', cidr_netmask: '24', iflabel: 'ethcl1', lvs_support: 'true' };

const env: Record<string, string> = {
  OCF_ROOT: '/usr/lib/ocf',
  OCF_RESOURCE_INSTANCE: 'ClusterIP',
  OCF_RESKEY_CRM_meta_timeout: '20000',
  OCF_RESKEY_CRM_meta_interval: '30000',
  HA_RSCTMP: `/tmp/${NS}`,
  ...Object.fromEntries(Object.entries(SEED).map(([k, v]) => [`OCF_RESKEY_${k}`, v])),
};

const inNs = (label: string, file: string, args: string[], expectRc?: number): Candidate => ({
  label,
  file: 'ip',
  args: ['netns', 'exec', NS, file, ...args],
  env,
  ...(expectRc === undefined ? {} : { expectRc }),
});

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('run as root (network namespaces)');
  await execa('ip', ['netns', 'add', NS]);
  try {
    const ip = (...args: string[]) => execa('ip', ['-n', NS, ...args]);
    await ip('link', 'set', 'lo', 'up');
    await ip('link', 'add', 'eth1', 'type', 'veth', 'peer', 'name', 'wire');
    await ip('link', 'set', 'wire', 'up');
    await ip('link', 'set', 'eth1', 'up');
    await ip('addr', 'add', '192.168.1.11/24', 'brd', '+', 'dev', 'eth1');
    await timeInterleaved([inNs('start', TSHA, ['start'], 0)], 1);
    const times = await timeInterleaved(
      [
        inNs('ocf:tsha:IPaddr2 monitor', TSHA, ['monitor'], 0),
        inNs('ocf:heartbeat:IPaddr2 monitor', HEARTBEAT, ['monitor'], 0),
        inNs('ip netns exec true (in both)', '/bin/true', []),
        inNs('node -e 0 (floor of a Node agent)', process.execPath, ['-e', '0']),
      ],
      RUNS,
    );
    await timeInterleaved([inNs('stop', TSHA, ['stop'], 0)], 1);
    console.log(`monitor latency, ${RUNS} runs each, interleaved, same address ${SEED.ip}/24 on eth1`);
    report(times, [['ocf:tsha:IPaddr2 monitor', 'ocf:heartbeat:IPaddr2 monitor']]);
  } finally {
    await killNetns(NS);
    await execa('ip', ['netns', 'del', NS], { reject: false });
    await execa('rm', ['-rf', `/tmp/${NS}`], { reject: false });
  }
}

await main();
