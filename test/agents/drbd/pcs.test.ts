// SPDX-License-Identifier: GPL-2.0-or-later
// The seed's `pcs resource create ClusterDrbd ...` line with --agent-validation, against a CIB file: it fails with
// LINBIT's agent (the clone-max bug of reference drbd.md §4, which the seed hit) and passes with ocf:tsha:drbd.
// "A configured node" is made in a private mount namespace: /etc/drbd.conf is bind-mounted from a temporary file
// defining drbddata for this host, so the exact line (no drbdconf=) runs and the real /etc stays untouched.
// LINBIT's agent only gets as far as the meta check with a DRBD 8.4 module; a `modinfo` test double reporting
// 8.4.11 is laid over /usr/sbin with a read-only overlay in the same namespace.
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { execa } from 'execa';

const SEED_ARGS = [
  'resource', 'create', 'ClusterDrbd', 'PROVIDER', 'drbd_resource=drbddata',
  'op', 'start', 'interval=0s', 'timeout=240s',
  'op', 'stop', 'interval=0s', 'timeout=100s',
  'op', 'monitor', 'interval=29s', 'role=Promoted',
  'op', 'monitor', 'interval=31s', 'role=Unpromoted',
  'clone', 'promotable=true', 'promoted-max=1', 'promoted-node-max=1', 'clone-max=2', 'clone-node-max=1', 'notify=true',
];
const seedLine = (agent: string): string[] => SEED_ARGS.map((a) => (a === 'PROVIDER' ? agent : a));

// Two-node syntax that both drbdadm 9.22 and its 8.4 twin (drbdadm-84, used when an 8.4 module is present) parse.
function drbdConf(resource: string): string {
  return `resource ${resource} {
  device /dev/drbd1;
  disk /dev/tsha-test-backing;
  meta-disk internal;
  on ${os.hostname()} { address 192.168.2.71:7789; }
  on tsha-test-peer { address 192.168.2.72:7789; }
}
`;
}

const MODINFO_84 = `#!/bin/sh
# test double: the in-tree DRBD 8.4.11 module of a stock kernel
if [ "$1" = "-F" ] && [ "$2" = "version" ] && [ "$3" = "drbd" ]; then echo 8.4.11; exit 0; fi
echo "modinfo: ERROR: Module $* not found." >&2
exit 1
`;

describe('ocf:tsha:drbd with pcs --agent-validation (the seed\'s line, CIB file)', function () {
  this.timeout(60_000);
  let dir: string;

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'tsha-drbd-pcs-'));
    await writeFile(path.join(dir, 'drbd.conf'), drbdConf('drbddata'));
    await writeFile(path.join(dir, 'other.conf'), drbdConf('otherres'));
    await mkdir(path.join(dir, 'sbin'));
    await writeFile(path.join(dir, 'sbin', 'modinfo'), MODINFO_84);
    await chmod(path.join(dir, 'sbin', 'modinfo'), 0o755);
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** Runs pcs against a fresh CIB file in a private mount namespace with the given /etc/drbd.conf. */
  async function pcsCreate(agent: string, conf: string, options: { modinfo84?: boolean } = {}) {
    const cib = path.join(dir, `cib-${agent.replace(/:/g, '-')}-${Date.now()}.xml`);
    await writeFile(cib, (await execa('cibadmin', ['--empty'])).stdout);
    const mounts = [`mount --bind "$1" /etc/drbd.conf`];
    if (options.modinfo84) mounts.push(`mount -t overlay tsha-test -o "lowerdir=$2:/usr/sbin" /usr/sbin`);
    const script = `set -e; ${mounts.join('; ')}; shift 2; exec "$@"`;
    const result = await execa(
      'unshare',
      ['--mount', '--propagation', 'private', 'sh', '-c', script, 'sh', path.join(dir, conf), path.join(dir, 'sbin'), 'pcs', '-f', cib, ...seedLine(agent), '--agent-validation'],
      { reject: false, env: { LC_ALL: 'C' } },
    );
    return { rc: result.exitCode, output: `${result.stdout}\n${result.stderr}`.trim(), cib: await readFile(cib, 'utf8') };
  }

  it('creates the seed\'s promotable clone with ocf:tsha:drbd: exit 0, no warning', async () => {
    const result = await pcsCreate('ocf:tsha:drbd', 'drbd.conf');
    expect(result.output).to.equal('');
    expect(result.rc).to.equal(0);
    expect(result.cib).to.match(/<clone id="ClusterDrbd-clone">\s*<primitive id="ClusterDrbd" class="ocf" type="drbd" provider="tsha">/);
    expect(result.cib).to.include('name="drbd_resource" value="drbddata"');
    expect(result.cib).to.include('<op name="monitor" interval="29s" role="Promoted"');
    expect(result.cib).to.include('<op name="monitor" interval="31s" role="Unpromoted"');
    for (const [name, value] of [['promotable', 'true'], ['promoted-max', '1'], ['clone-max', '2'], ['notify', 'true']]) {
      expect(result.cib).to.include(`name="${name}" value="${value}"`);
    }
  });

  it('passes where LINBIT\'s agent fails: the same node with an 8.4 module reported (the seed\'s setup)', async () => {
    const result = await pcsCreate('ocf:tsha:drbd', 'drbd.conf', { modinfo84: true });
    expect(result.output).to.equal('');
    expect(result.rc).to.equal(0);
    expect(result.cib).to.include('<primitive id="ClusterDrbd" class="ocf" type="drbd" provider="tsha">');
  });

  it('still validates the configuration: a resource missing from /etc/drbd.conf is refused', async () => {
    const result = await pcsCreate('ocf:tsha:drbd', 'other.conf');
    expect(result.rc).to.equal(1);
    expect(result.output).to.include('Error: Validation result from agent (use --force to override):');
    expect(result.output).to.include("ocf-exit-reason:DRBD resource `drbddata` not found in /etc/drbd.conf: 'drbddata' not defined in your config");
    expect(result.cib).to.not.include('ClusterDrbd');
  });

  it('documents the bug: the same line with ocf:linbit:drbd fails with the seed\'s message', async () => {
    const result = await pcsCreate('ocf:linbit:drbd', 'drbd.conf', { modinfo84: true });
    console.log(`      pcs with ocf:linbit:drbd said:\n${result.output.replace(/^/gm, '        ')}`);
    expect(result.rc).to.equal(1);
    expect(result.output).to.equal(
      [
        'Error: Validation result from agent (use --force to override):',
        '  ocf-exit-reason:meta parameter misconfigured, expected clone-max -le 2, but found unset.',
        'Error: Errors have occurred, therefore pcs is unable to continue',
      ].join('\n'),
    );
    expect(result.cib).to.not.include('ClusterDrbd');
  });
});
