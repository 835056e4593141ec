// SPDX-License-Identifier: GPL-2.0-or-later
// ocf:tsha:IPaddr2 as installed, on real interfaces in network namespaces: each case starts from a LAN with two
// nodes and a client (test/agents/IPaddr2/lan.ts) and leaves nothing behind.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { expect } from 'chai';
import { execa } from 'execa';
import { OcfExit } from '../../../lib/ocf/exit-codes.js';
import { stateFileName } from '../../../lib/state.js';
import { OCF_DIR, type AgentRun } from '../../helpers/agent.js';
import { isAlive } from '../../../scripts/lab/sys.js';
import { createLan, SEED, type Lan } from './lan.js';

const RECURRING = { interval: '10000' };

/** The exit code, with the agent's stderr in the failure message. */
function expectRc(run: AgentRun, code: number, what = ''): void {
  expect(run.rc, `${what}${what ? ': ' : ''}stderr:\n${run.stderr}`).to.equal(code);
}

async function neighbourMac(lan: Lan, host: string, ip: string): Promise<string | undefined> {
  const entries = JSON.parse(await lan.lab.ip(host, '-j', 'neigh', 'show', 'to', ip, 'dev', 'eth1')) as { lladdr?: string }[];
  return entries[0]?.lladdr;
}

async function ping(lan: Lan, host: string, ip: string): Promise<boolean> {
  const result = await lan.lab.run(host, 'ping', ['-c', '1', '-W', '2', '-n', '-q', ip], { reject: false });
  return result.exitCode === 0;
}

/** Polls (without sending anything from the client) until the neighbour entry shows mac, or 5 s pass. */
async function waitNeighbour(lan: Lan, host: string, ip: string, mac: string): Promise<string | undefined> {
  let seen: string | undefined;
  for (let i = 0; i < 50; i++) {
    seen = await neighbourMac(lan, host, ip);
    if (seen === mac) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return seen;
}

describe('ocf:tsha:IPaddr2 in network namespaces', function () {
  this.timeout(60_000);
  let lan: Lan;

  before(function () {
    // network namespaces need root: not being root is a failure, never a quiet skip
    if (process.getuid?.() !== 0) throw new Error('this suite needs root (network namespaces)');
  });
  beforeEach(async () => {
    lan = await createLan('ip', ['a', 'b', 'client']);
  });
  afterEach(async () => {
    await lan?.destroy();
  });

  it('moves the VIP from node A to node B; the gratuitous ARP repoints the client', async () => {
    expectRc(await lan.agent('a', 'start', SEED), OcfExit.SUCCESS);
    expectRc(await lan.agent('a', 'monitor', SEED, { meta: RECURRING }), OcfExit.SUCCESS);
    expect(await ping(lan, 'client', SEED.ip), 'client reaches the VIP on A').to.equal(true);
    const macA = await lan.lab.mac('a', 'eth1');
    const macB = await lan.lab.mac('b', 'eth1');
    expect(await neighbourMac(lan, 'client', SEED.ip)).to.equal(macA);

    expectRc(await lan.agent('a', 'stop', SEED), OcfExit.SUCCESS);
    expect(await lan.vip('a', SEED.ip)).to.deep.equal([]);
    const startB = await lan.agent('b', 'start', SEED);
    expect(startB.rc).to.equal(OcfExit.SUCCESS);
    console.log(`      start on B returned in ${startB.ms} ms (ARPs in the background)`);
    // The sender outlived the agent (spawnDetached): it is still running after start returned.
    const pid = Number((await readFile(path.join(lan.hosts.b?.rsctmp ?? '', stateFileName('IPaddr2', 'ClusterIP.announce')), 'utf8')).trim());
    expect(isAlive(pid), 'background ARP sender alive after the agent exited').to.equal(true);
    // The client sends nothing here: only B's gratuitous ARPs can change its entry.
    expect(await waitNeighbour(lan, 'client', SEED.ip, macB)).to.equal(macB);
    expect(await ping(lan, 'client', SEED.ip), 'client reaches the VIP on B').to.equal(true);
    expect(await neighbourMac(lan, 'client', SEED.ip)).to.equal(macB);

    // Back to A with ARPs in the foreground, as ARP replies: done when start returns.
    expectRc(await lan.agent('b', 'stop', SEED), OcfExit.SUCCESS);
    const fg = { ...SEED, arp_bg: 'false', arp_sender: 'iputils_arping_answer', arp_count: '2' };
    const startA = await lan.agent('a', 'start', fg);
    expect(startA.rc).to.equal(OcfExit.SUCCESS);
    console.log(`      start on A with arp_bg=false returned in ${startA.ms} ms`);
    expect(await neighbourMac(lan, 'client', SEED.ip)).to.equal(macA);
    expect(await ping(lan, 'client', SEED.ip)).to.equal(true);
    expectRc(await lan.agent('a', 'stop', fg), OcfExit.SUCCESS);
  });

  it("adds the seed's address with label and broadcast, once, and removes it", async () => {
    expectRc(await lan.agent('a', 'monitor', SEED), OcfExit.NOT_RUNNING);
    expectRc(await lan.agent('a', 'start', SEED), OcfExit.SUCCESS);
    expectRc(await lan.agent('a', 'start', SEED), OcfExit.SUCCESS);
    const [vip, ...more] = await lan.vip('a', SEED.ip);
    expect(more).to.deep.equal([]);
    expect(vip).to.deep.include({ prefixlen: 24, broadcast: '192.168.1.255', label: 'eth1:ethcl1' });
    expectRc(await lan.agent('a', 'stop', SEED), OcfExit.SUCCESS);
    expectRc(await lan.agent('a', 'stop', SEED), OcfExit.SUCCESS);
    expect(await lan.vip('a', SEED.ip)).to.deep.equal([]);
  });

  it('monitor: 7 after the address is deleted by hand, 1 after the link goes down; start fails on a link without carrier', async () => {
    expectRc(await lan.agent('a', 'start', SEED), OcfExit.SUCCESS);
    await lan.lab.ip('a', 'addr', 'del', `${SEED.ip}/24`, 'dev', 'eth1');
    expectRc(await lan.agent('a', 'monitor', SEED, { meta: RECURRING }), OcfExit.NOT_RUNNING);

    expectRc(await lan.agent('a', 'start', SEED), OcfExit.SUCCESS);
    await lan.lab.ip('a', 'link', 'set', 'eth1', 'down');
    const down = await lan.agent('a', 'monitor', SEED, { meta: RECURRING });
    expect(down.rc).to.equal(OcfExit.ERR_GENERIC);
    expect(down.reason).to.equal('192.168.1.73 is on eth1, but interface eth1 is administratively down');
    // a probe says the same: the address is there but useless (never 5 or 6)
    expectRc(await lan.agent('a', 'monitor', SEED), OcfExit.ERR_GENERIC);
    // no carrier: the switch port goes down, eth1 stays administratively up
    await lan.lab.ip('a', 'link', 'set', 'eth1', 'up');
    await lan.lab.ip('sw', 'link', 'set', 'port1', 'down');
    const noCarrier = await lan.agent('a', 'monitor', SEED, { meta: RECURRING });
    expect(noCarrier.rc).to.equal(OcfExit.ERR_GENERIC);
    expect(noCarrier.reason).to.match(/no carrier/);
    // a start there fails without waiting for a carrier that no action of ours brings, and adds nothing
    await lan.lab.ip('a', 'addr', 'del', `${SEED.ip}/24`, 'dev', 'eth1');
    const startNoCarrier = await lan.agent('a', 'start', SEED);
    console.log(`      start on eth1 without carrier failed after ${startNoCarrier.ms} ms`);
    expect(startNoCarrier.rc).to.equal(OcfExit.ERR_GENERIC);
    expect(startNoCarrier.reason).to.equal('192.168.1.73 cannot be served on eth1: interface eth1 has no carrier');
    expect(await lan.vip('a', SEED.ip)).to.deep.equal([]);
    await lan.lab.ip('sw', 'link', 'set', 'port1', 'up');
    expectRc(await lan.agent('a', 'start', SEED), OcfExit.SUCCESS);
    expectRc(await lan.agent('a', 'monitor', SEED, { meta: RECURRING }), OcfExit.SUCCESS);
    // start on a downed link brings it up again
    await lan.lab.ip('a', 'link', 'set', 'eth1', 'down');
    expectRc(await lan.agent('a', 'start', SEED), OcfExit.SUCCESS);
    expectRc(await lan.agent('a', 'monitor', SEED, { meta: RECURRING }), OcfExit.SUCCESS);
    expectRc(await lan.agent('a', 'stop', SEED), OcfExit.SUCCESS);
  });

  it('IPv6: start waits for DAD, monitor and stop; a duplicate fails the start and leaves nothing', async () => {
    const v6 = { ip: '2001:db8:1:0:0:0:0:73', nic: 'eth1', cidr_netmask: '64' };
    const start = await lan.agent('a', 'start', v6);
    expect(start.rc, start.stderr).to.equal(OcfExit.SUCCESS);
    console.log(`      IPv6 start with DAD took ${start.ms} ms`);
    const [vip] = await lan.vip('a', '2001:db8:1::73');
    expect(vip).to.include({ prefixlen: 64 });
    expect(vip).to.not.have.property('tentative');
    expect(await ping(lan, 'client', '2001:db8:1::73')).to.equal(true);
    expectRc(await lan.agent('a', 'monitor', v6, { meta: RECURRING }), OcfExit.SUCCESS);
    expectRc(await lan.agent('a', 'stop', v6), OcfExit.SUCCESS);
    expectRc(await lan.agent('a', 'monitor', v6, { meta: RECURRING }), OcfExit.NOT_RUNNING);

    // the client already uses 2001:db8:1::99
    await lan.lab.ip('client', 'addr', 'add', '2001:db8:1::99/64', 'dev', 'eth1', 'nodad');
    const dup = await lan.agent('a', 'start', { ...v6, ip: '2001:db8:1::99' });
    expect(dup.rc).to.equal(OcfExit.ERR_GENERIC);
    expect(dup.reason).to.match(/already in use.*duplicate address detection/);
    expect(await lan.vip('a', '2001:db8:1::99')).to.deep.equal([]);
  });

  it('finds the interface and prefix itself when nic and cidr_netmask are empty', async () => {
    const auto = { ip: '192.168.1.74' };
    expectRc(await lan.agent('a', 'validate-all', auto), OcfExit.SUCCESS);
    expectRc(await lan.agent('a', 'start', auto), OcfExit.SUCCESS);
    expect((await lan.vip('a', '192.168.1.74'))[0]).to.deep.include({ prefixlen: 24, broadcast: '192.168.1.255' });
    expectRc(await lan.agent('a', 'monitor', auto, { meta: RECURRING }), OcfExit.SUCCESS);
    expectRc(await lan.agent('a', 'stop', auto), OcfExit.SUCCESS);
    expect(await lan.vip('a', '192.168.1.74')).to.deep.equal([]);

    const nowhere = { ip: '192.168.7.7' };
    const v = await lan.agent('a', 'validate-all', nowhere);
    expect(v.rc).to.equal(OcfExit.ERR_CONFIGURED);
    expect(v.reason).to.equal('no interface has a connected subnet holding 192.168.7.7; set nic and cidr_netmask');
    expectRc(await lan.agent('a', 'start', nowhere), OcfExit.ERR_CONFIGURED);
    expectRc(await lan.agent('a', 'monitor', nowhere), OcfExit.NOT_RUNNING);
    expectRc(await lan.agent('a', 'stop', nowhere), OcfExit.SUCCESS);
  });

  it('refuses bad configurations with 6 and a reason; a probe answers 7 and a stop 0', async () => {
    const cases: [string, Record<string, string>, RegExp][] = [
      ['iflabel too long', { ...SEED, iflabel: 'averylonglabel' }, /eth1:averylonglabel.*longer than 15/],
      ['ip not an address', { ...SEED, ip: 'vip.example.org' }, /not an IPv4 address/],
      ['cidr_netmask 33', { ...SEED, cidr_netmask: '33' }, /out of range 1\.\.32/],
      ['a nic that does not exist', { ...SEED, nic: 'eth9' }, /interface `eth9` does not exist/],
      ['arp_sender unknown', { ...SEED, arp_sender: 'ipoibarping' }, /arp_sender/],
    ];
    for (const [what, params, reason] of cases) {
      const v = await lan.agent('a', 'validate-all', params);
      expect(v.rc, what).to.equal(OcfExit.ERR_CONFIGURED);
      expect(v.reason, what).to.match(reason);
      expectRc(await lan.agent('a', 'start', params), OcfExit.ERR_CONFIGURED, `${what}: start`);
      expectRc(await lan.agent('a', 'monitor', params), OcfExit.NOT_RUNNING, `${what}: probe`);
      expectRc(await lan.agent('a', 'stop', params), OcfExit.SUCCESS, `${what}: stop`);
    }
    expect(await lan.vip('a', SEED.ip)).to.deep.equal([]);
    // a recurring monitor whose nic has vanished is a failure, not "stopped"
    expectRc(await lan.agent('a', 'monitor', { ...SEED, nic: 'eth9' }, { meta: RECURRING }), OcfExit.ERR_GENERIC);
  });

  it('refuses a clone with clone-max > 1 (CLUSTERIP) at validate-all and start', async () => {
    const clone = { clone_max: '2', clone_node_max: '1', clone: '0' };
    const v = await lan.agent('a', 'validate-all', SEED, { meta: clone });
    expect(v.rc).to.equal(OcfExit.ERR_CONFIGURED);
    expect(v.reason).to.match(/clone-max=2: .*CLUSTERIP/);
    expectRc(await lan.agent('a', 'start', SEED, { meta: clone }), OcfExit.ERR_CONFIGURED);
    expect(await lan.vip('a', SEED.ip)).to.deep.equal([]);
    expectRc(await lan.agent('a', 'validate-all', SEED, { meta: { clone_max: '1' } }), OcfExit.SUCCESS);
  });

  it('lvs_support takes the address off lo on start and puts it back on stop', async () => {
    await lan.lab.ip('a', 'addr', 'add', `${SEED.ip}/32`, 'dev', 'lo');
    expectRc(await lan.agent('a', 'start', SEED), OcfExit.SUCCESS);
    expect(await lan.vip('a', SEED.ip, 'lo')).to.deep.equal([]);
    expect(await lan.vip('a', SEED.ip)).to.have.length(1);
    expectRc(await lan.agent('a', 'stop', SEED), OcfExit.SUCCESS);
    expect(await lan.vip('a', SEED.ip)).to.deep.equal([]);
    expect((await lan.vip('a', SEED.ip, 'lo'))[0]).to.deep.include({ prefixlen: 32 });
  });

  it('validate-all with no PATH, as pcs runs it, succeeds and writes nothing to stderr', async () => {
    const env = {
      OCF_ROOT: '/usr/lib/ocf',
      OCF_RESOURCE_INSTANCE: 'test',
      OCF_RESOURCE_TYPE: 'IPaddr2',
      OCF_RESOURCE_PROVIDER: 'tsha',
      OCF_RESKEY_CRM_meta_timeout: '20000',
      OCF_EXIT_REASON_PREFIX: 'ocf-exit-reason:',
      LC_ALL: 'C',
      ...Object.fromEntries(Object.entries(SEED).map(([k, v]) => [`OCF_RESKEY_${k}`, v])),
    };
    const ns = lan.hosts.a?.ns ?? '';
    const result = await execa('/usr/bin/ip', ['netns', 'exec', ns, `${OCF_DIR}/IPaddr2`, 'validate-all'], { env, extendEnv: false, reject: false });
    expect(result.exitCode).to.equal(OcfExit.SUCCESS);
    expect(result.stderr).to.equal('');
    expect(result.stdout).to.equal('');
  });
});
