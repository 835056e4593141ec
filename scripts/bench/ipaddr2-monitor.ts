// SPDX-License-Identifier: GPL-2.0-or-later
// Monitor latency of ocf:tsha:IPaddr2 against ocf:heartbeat:IPaddr2 on the same address, side by side in one
// run: a throw-away namespace with eth1 and the seed's VIP, then RUNS monitors of each agent, interleaved so
// that both see the same machine load. Prints the medians and the ratio tsha/heartbeat. Needs root and
// `make install` (it runs the installed agents). Usage: node dist/scripts/bench/ipaddr2-monitor.js [RUNS]
import { execa } from 'execa';

const RUNS = Number(process.argv[2] ?? 20);
const NS = `tsha-${process.pid}-bench`;
const TSHA = '/usr/lib/ocf/resource.d/tsha/IPaddr2';
const HEARTBEAT = '/usr/lib/ocf/resource.d/heartbeat/IPaddr2';
const SEED = { ip: '192.168.1.73', nic: 'eth1', cidr_netmask: '24', iflabel: 'ethcl1', lvs_support: 'true' };

const env: Record<string, string> = {
  PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin',
  LC_ALL: 'C',
  OCF_ROOT: '/usr/lib/ocf',
  OCF_RESOURCE_INSTANCE: 'ClusterIP',
  OCF_RESKEY_CRM_meta_timeout: '20000',
  OCF_RESKEY_CRM_meta_interval: '30000',
  HA_RSCTMP: `/tmp/${NS}`,
  ...Object.fromEntries(Object.entries(SEED).map(([k, v]) => [`OCF_RESKEY_${k}`, v])),
};

async function inNs(file: string, args: string[]): Promise<{ ms: number; rc: number | undefined }> {
  const started = process.hrtime.bigint();
  const result = await execa('ip', ['netns', 'exec', NS, file, ...args], { env, extendEnv: false, reject: false, stdin: 'ignore' });
  return { ms: Number(process.hrtime.bigint() - started) / 1e6, rc: result.exitCode };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

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
    const start = await inNs(TSHA, ['start']);
    if (start.rc !== 0) throw new Error(`tsha start failed (rc ${start.rc})`);
    const times = { tsha: [] as number[], heartbeat: [] as number[], netnsExec: [] as number[], node: [] as number[] };
    for (let i = 0; i < RUNS; i++) {
      for (const [name, file] of [['tsha', TSHA], ['heartbeat', HEARTBEAT]] as const) {
        const run = await inNs(file, ['monitor']);
        if (run.rc !== 0) throw new Error(`${name} monitor returned ${run.rc}, expected 0`);
        times[name].push(run.ms);
      }
      times.netnsExec.push((await inNs('/bin/true', [])).ms);
      times.node.push((await inNs(process.execPath, ['-e', '0'])).ms);
    }
    await inNs(TSHA, ['stop']);
    const tsha = median(times.tsha);
    const heartbeat = median(times.heartbeat);
    const overhead = median(times.netnsExec);
    console.log(`monitor latency, median of ${RUNS} runs each (interleaved, same address ${SEED.ip}/24 on eth1):`);
    console.log(`  ocf:tsha:IPaddr2       ${tsha.toFixed(1)} ms`);
    console.log(`  ocf:heartbeat:IPaddr2  ${heartbeat.toFixed(1)} ms`);
    console.log(`  (ip netns exec itself  ${overhead.toFixed(1)} ms, included in both)`);
    console.log(`  (node -e 0             ${median(times.node).toFixed(1)} ms, the floor of any Node agent)`);
    console.log(`ratio tsha/heartbeat: ${(tsha / heartbeat).toFixed(2)} (without the netns exec overhead: ${((tsha - overhead) / (heartbeat - overhead)).toFixed(2)})`);
  } finally {
    await execa('ip', ['netns', 'pids', NS], { reject: false }).then(({ stdout }) => {
      for (const pid of String(stdout).split(/\s+/).filter(Boolean)) {
        try {
          process.kill(Number(pid), 'SIGKILL');
        } catch {
          // gone
        }
      }
    });
    await execa('ip', ['netns', 'del', NS], { reject: false });
    await execa('rm', ['-rf', `/tmp/${NS}`], { reject: false });
  }
}

await main();
