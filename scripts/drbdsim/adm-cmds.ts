// SPDX-License-Identifier: GPL-2.0-or-later
// drbdadm as the simulator answers it: configuration through drbd-utils' own drbdadm, state changes
// through this node's resource daemons, with drbdadm's error conventions (drbd.md §9.7, §10).
import os from 'node:os';
import { queryDaemon, snapshotOf, startDaemon } from './client.js';
import { listResources, loadResource, type ResourceConfig, runReal, runRealCached, type SimEnv } from './config.js';
import { drbdadmVersion, dstateText } from './format.js';
import { blockDevNumbers, volumesHeldOpen } from './host.js';
import type { Stage } from './protocol.js';
import { drbdsetup, failed, type Io, type Output, request } from './setup-cmds.js';
import { freshMeta, readMeta, withLock, writeMeta } from './store.js';
import { SS } from './format.js';

/** Commands answered by the simulator; everything else that parses configuration goes to the real drbdadm. */
const SIMULATED = new Set([
  'up',
  'adjust',
  'adjust-with-progress',
  'new-resource',
  'new-minor',
  'attach',
  'apply-al',
  'check-resize',
  'resize',
  'primary',
  'secondary',
  'down',
  'disconnect',
  'connect',
  'outdate',
  'role',
  'cstate',
  'dstate',
  'status',
  'wait-connect',
  'wait-con-int',
  'create-md',
  'new-current-uuid',
  'unfence-peer',
]);

type Args = {
  config: string | undefined;
  dryRun: boolean;
  version: boolean;
  cmd: string | undefined;
  targets: string[];
  flags: Set<string>;
  passthrough: string[];
  bad: string | undefined;
};

const GENERAL_WITH_VALUE = new Set(['-c', '--config-file', '-t', '--config-to-test', '-E', '--config-to-exclude', '-s', '--drbdsetup', '-m', '--drbdmeta', '-p', '--drbd-proxy-ctl', '-n', '--sh-varname', '-W', '--setup-option']);

export function parseAdmArgs(argv: string[]): Args {
  const a: Args = { config: undefined, dryRun: false, version: false, cmd: undefined, targets: [], flags: new Set(), passthrough: argv, bad: undefined };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const eq = arg.indexOf('=');
    const name = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg;
    if (GENERAL_WITH_VALUE.has(name)) {
      const value = name === arg ? argv[++i] : arg.slice(eq + 1);
      if (name === '-c' || name === '--config-file') a.config = value;
      continue;
    }
    if (/^-c.+/.test(arg)) {
      a.config = arg.slice(2);
      continue;
    }
    if (arg === '-d' || arg === '--dry-run') a.dryRun = true;
    else if (arg === '-V' || arg === '--version') a.version = true;
    else if (arg === '-v' || arg === '--verbose' || arg === '-S' || arg === '--stacked') continue;
    else if (arg === '--peer' || arg.startsWith('--peer=')) a.bad = arg;
    else if (arg.startsWith('-')) a.flags.add(arg.replace(/=.*$/, ''));
    else if (!a.cmd) a.cmd = arg;
    else a.targets.push(arg);
  }
  return a;
}

function commandFailed(out: Output, setupCmd: string): Output {
  if (out.rc < 10) return out;
  return { ...out, stderr: `${out.stderr}Command '${setupCmd}' terminated with exit code ${out.rc}\n` };
}

const merge = (outs: Output[]): Output => ({
  rc: outs.reduce((rc, o) => Math.max(rc, o.rc), 0),
  stdout: outs.map((o) => o.stdout).join(''),
  stderr: outs.map((o) => o.stderr).join(''),
});

/** A local replication address that no interface of this network namespace has. */
function missingLocalAddress(config: ResourceConfig): string | undefined {
  const mine = new Set(Object.values(os.networkInterfaces()).flatMap((list) => (list ?? []).map((i) => i.address)));
  return config.peers.map((p) => p.local.host).find((host) => !mine.has(host));
}

/** Brings a resource to `stage` (new-resource, new-minor, attach, net), starting its daemon if needed. */
async function bringUp(sim: SimEnv, res: string, config: ResourceConfig, stage: Stage, configFile: string | undefined): Promise<Output> {
  if (stage.net && missingLocalAddress(config)) {
    // drbdadm's own wording comes with its configuration check (dump); up then fails with rc 10
    const dump = runReal(sim, [...(configFile ? ['-c', configFile] : []), 'dump', res]);
    const text = dump.stderr.includes('not found on this host') ? dump.stderr : `${res}: IP ${missingLocalAddress(config) ?? ''} not found on this host.\n`;
    return { rc: 10, stdout: '', stderr: text };
  }
  if (stage.attach) {
    for (const v of config.volumes) {
      if (v.disk !== 'none' && !blockDevNumbers(v.disk)) {
        return {
          rc: 20,
          stdout: '',
          stderr: `open(${v.disk}) failed: No such file or directory\nCommand 'drbdmeta ${v.minor} v09 ${v.disk} internal apply-al' terminated with exit code 20\n`,
        };
      }
    }
  }
  return withLock(sim.stateDir, sim.hostname, res, async () => {
    try {
      const reply = await queryDaemon(sim.stateDir, sim.hostname, res, { op: 'configure', stage }, 10_000);
      if ('error' in reply) return failed(res, reply.error);
      return { rc: 0, stdout: '', stderr: '' };
    } catch {
      // not up: start the daemon
    }
    if (!readMeta(sim.stateDir, sim.hostname, res)) writeMeta(sim.stateDir, sim.hostname, res, freshMeta());
    const error = await startDaemon({ config, sim, node: sim.hostname, stage });
    if (!error) return { rc: 0, stdout: '', stderr: '' };
    if (/EADDRNOTAVAIL/.test(error)) {
      const addr = config.peers[0]?.local.host ?? '?';
      return { rc: 10, stdout: '', stderr: `${res}: IP ${addr} not found on this host.\n` };
    }
    return { rc: 10, stdout: '', stderr: `${res}: Failure: (102) Local address(port) already in use.\n${error}\n` };
  });
}

async function oneResource(sim: SimEnv, a: Args, target: string, io: Io): Promise<Output> {
  const [res = target, peerName] = target.split(/[:/]/);
  const loaded = loadResource(sim, a.config, res);
  if (!loaded.ok) return { rc: loaded.status, stdout: '', stderr: loaded.stderr };
  const config = loaded.config;
  const peer = peerName === undefined ? undefined : config.peers.find((p) => p.name === peerName);
  if (peerName !== undefined && target.includes(':') && !peer) {
    return { rc: 1, stdout: '', stderr: `Not a valid connection (${target}) for this host\n` };
  }
  const minor = config.volumes[0]?.minor ?? 0;
  const held = (): boolean => volumesHeldOpen(config.volumes);
  const flags = a.flags;
  switch (a.cmd) {
    case 'up':
      return bringUp(sim, res, config, { minors: true, attach: true, net: true }, a.config);
    case 'adjust':
    case 'adjust-with-progress': {
      const skipNet = flags.has('--skip-net');
      const out = await bringUp(sim, res, config, { minors: true, attach: !flags.has('--skip-disk'), net: !skipNet }, a.config);
      if (out.rc !== 0 || skipNet) return out;
      // adjust (re)connects connections that are StandAlone
      return commandFailed(await request(sim, res, { op: 'connect', peer: peer?.nodeId, discardMyData: false }), `drbdsetup connect ${res}`);
    }
    case 'new-resource':
      return bringUp(sim, res, config, { minors: false, attach: false, net: false }, a.config);
    case 'new-minor':
      return bringUp(sim, res, config, { minors: true, attach: false, net: false }, a.config);
    case 'attach':
      return bringUp(sim, res, config, { minors: true, attach: true, net: false }, a.config);
    case 'apply-al':
    case 'check-resize':
    case 'resize':
    case 'unfence-peer':
      return { rc: 0, stdout: '', stderr: '' };
    case 'primary': {
      const force = flags.has('--force') || flags.has('--overwrite-data-of-peer');
      const out = await request(sim, res, { op: 'primary', force, held: false });
      return commandFailed(out, `drbdsetup primary ${res}${force ? ' --force' : ''}`);
    }
    case 'secondary':
      return commandFailed(await request(sim, res, { op: 'secondary', held: held() }), `drbdsetup secondary ${res}`);
    case 'down': {
      const out = await request(sim, res, { op: 'down', held: held() });
      if (out.rc === 10) return { rc: 0, stdout: '', stderr: '' };
      return commandFailed(out, `drbdsetup down ${res}`);
    }
    case 'disconnect':
      return commandFailed(await request(sim, res, { op: 'disconnect', peer: peer?.nodeId }), `drbdsetup disconnect ${res} ${peer?.nodeId ?? config.peers[0]?.nodeId ?? ''}`.trim());
    case 'connect':
      return commandFailed(
        await request(sim, res, { op: 'connect', peer: peer?.nodeId, discardMyData: flags.has('--discard-my-data') }),
        `drbdsetup connect ${res} ${peer?.nodeId ?? config.peers[0]?.nodeId ?? ''}`.trim(),
      );
    case 'outdate': {
      const snap = await snapshotOf(sim.stateDir, sim.hostname, res);
      if (snap) return commandFailed(await request(sim, res, { op: 'outdate' }, String(minor)), `drbdsetup outdate ${minor}`);
      // not up: drbdmeta outdates the on-disk metadata
      return withLock(sim.stateDir, sim.hostname, res, async () => {
        const meta = readMeta(sim.stateDir, sim.hostname, res) ?? freshMeta();
        if (meta.disk === 'UpToDate' || meta.disk === 'Consistent') meta.disk = 'Outdated';
        else if (meta.disk !== 'Outdated') return failed(String(minor), SS.LOWER_THAN_OUTDATED);
        writeMeta(sim.stateDir, sim.hostname, res, meta);
        return { rc: 0, stdout: '', stderr: '' };
      });
    }
    case 'role': {
      const out = await drbdsetup(sim, ['role', res], io, held);
      return commandFailed(out, `drbdsetup role ${res}`);
    }
    case 'cstate': {
      const outs: Output[] = [];
      for (const p of peer ? [peer] : config.peers) {
        outs.push(commandFailed(await drbdsetup(sim, ['cstate', res, String(p.nodeId)], io, held), `drbdsetup cstate ${res} ${p.nodeId}`));
      }
      return merge(outs);
    }
    case 'dstate': {
      const snap = await snapshotOf(sim.stateDir, sim.hostname, res);
      const outs: Output[] = [];
      for (const v of config.volumes) {
        const dev = snap?.devices.find((d) => d.volume === v.volume);
        if (snap && dev) {
          outs.push({ rc: 0, stdout: dstateText(snap, dev), stderr: '' });
          continue;
        }
        // not up: drbdmeta reads the on-disk flags (UpToDate only when the peer is known Outdated)
        const meta = readMeta(sim.stateDir, sim.hostname, res) ?? freshMeta();
        const disk = meta.disk === 'UpToDate' && !meta.peerOutdated ? 'Consistent' : meta.disk;
        outs.push({ rc: 0, stdout: `${disk}\n`, stderr: '' });
      }
      return merge(outs);
    }
    case 'status': {
      const setupArgs = ['status', res, ...[...flags].filter((f) => ['--verbose', '--statistics', '--json', '--color'].includes(f))];
      return commandFailed(await drbdsetup(sim, setupArgs, io, held), `drbdsetup ${setupArgs.join(' ')}`);
    }
    case 'wait-connect':
    case 'wait-con-int':
      return drbdsetup(sim, ['wait-connect-resource', res, ...[...flags]], io, held);
    case 'create-md':
      return withLock(sim.stateDir, sim.hostname, res, async () => {
        if (await snapshotOf(sim.stateDir, sim.hostname, res)) {
          return { rc: 20, stdout: '', stderr: `Device '${minor}' is configured!\nCommand 'drbdmeta ${minor} v09 ${config.volumes[0]?.disk ?? ''} internal create-md' terminated with exit code 20\n` };
        }
        writeMeta(sim.stateDir, sim.hostname, res, freshMeta());
        return { rc: 0, stdout: 'initializing activity log\ninitializing bitmap\nWriting meta data...\nNew drbd meta data block successfully created.\n', stderr: '' };
      });
    case 'new-current-uuid':
      return commandFailed(await request(sim, res, { op: 'new-current-uuid', clearBitmap: flags.has('--clear-bitmap') }, String(minor)), `drbdsetup new-current-uuid ${minor}`);
    default:
      return { rc: 20, stdout: '', stderr: `drbdsim: drbdadm ${a.cmd ?? ''} is not simulated\n` };
  }
}

/** drbdadm [options] COMMAND {all|RESOURCE...}. */
export async function drbdadm(sim: SimEnv, argv: string[], io: Io): Promise<Output> {
  const a = parseAdmArgs(argv);
  if (a.version) return { rc: 0, stdout: drbdadmVersion(sim.kernelVersion), stderr: '' };
  if (a.bad) return { rc: 1, stdout: '', stderr: `drbdadm: unrecognized option '${a.bad}'\n` };
  // dry runs, dump, sh-* and anything unknown: drbd-utils' drbdadm itself (sh-dev and the like from the cache)
  if (!a.cmd || a.dryRun || !SIMULATED.has(a.cmd)) {
    const r = runRealCached(sim, a.passthrough);
    return { rc: r.status, stdout: r.stdout, stderr: r.stderr };
  }
  if (a.cmd === 'status' && (a.targets.length === 0 || a.targets.includes('all'))) {
    // drbdadm status [all] is drbdsetup status: every resource that is up
    const setupArgs = ['status', ...[...a.flags].filter((f) => ['--verbose', '--statistics', '--json'].includes(f))];
    return drbdsetup(sim, setupArgs, io, () => false);
  }
  if (a.targets.length === 0) {
    return { rc: 1, stdout: '', stderr: `USAGE: drbdadm ${a.cmd} [OPTION...] {all|RESOURCE...}\n` };
  }
  const targets = a.targets.includes('all') ? listResources(sim, a.config) : a.targets;
  const outs: Output[] = [];
  for (const target of targets) {
    const out = await oneResource(sim, a, target, io);
    outs.push(out);
  }
  return merge(outs);
}
