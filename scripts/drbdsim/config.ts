// SPDX-License-Identifier: GPL-2.0-or-later
// Configuration of the simulator: paths from the environment, and drbd.conf parsed by drbd-utils' own drbdadm.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_KERNEL_VERSION } from './format.js';

export const DEFAULT_STATE_DIR = '/var/lib/tsha-drbdsim';
export const DEFAULT_REAL_DRBDADM = '/usr/sbin/drbdadm';

export type SimEnv = {
  /** shared by every simulated node: metadata, daemon sockets, logs */
  stateDir: string;
  /** drbd-utils' drbdadm, used to parse the configuration */
  realDrbdadm: string;
  /** simulated kernel module version for `--version` */
  kernelVersion: string;
  /** node name; `uname -n` like drbdadm */
  hostname: string;
  /** resync duration in ms (the SyncSource/SyncTarget phase) */
  syncMs: number;
  /** connection loss is declared after this many ms without a packet */
  pingTimeoutMs: number;
};

export function simEnv(env: NodeJS.ProcessEnv): SimEnv {
  const num = (value: string | undefined, fallback: number): number => {
    const n = Number.parseInt(value ?? '', 10);
    return Number.isFinite(n) && n >= 0 ? n : fallback;
  };
  return {
    stateDir: env.TSHA_DRBDSIM_STATE || DEFAULT_STATE_DIR,
    realDrbdadm: env.TSHA_DRBDSIM_REAL_DRBDADM || DEFAULT_REAL_DRBDADM,
    kernelVersion: env.TSHA_DRBDSIM_KERNEL_VERSION || DEFAULT_KERNEL_VERSION,
    hostname: os.hostname(),
    syncMs: num(env.TSHA_DRBDSIM_SYNC_MS, 1500),
    pingTimeoutMs: num(env.TSHA_DRBDSIM_PING_TIMEOUT_MS, 2500),
  };
}

export type Address = { af: string; host: string; port: number };

export type VolumeConfig = { volume: number; minor: number; device: string; disk: string; metaDisk: string };

export type PeerConfig = {
  nodeId: number;
  name: string;
  local: Address;
  remote: Address;
  /** new-peer options, e.g. `protocol` → `C`, `allow-two-primaries` → `yes`, `fencing` → `resource-only` */
  options: Record<string, string>;
};

export type ResourceConfig = {
  name: string;
  nodeId: number;
  volumes: VolumeConfig[];
  peers: PeerConfig[];
};

function parseAddress(text: string): Address {
  // ipv4:10.0.0.1:7789 or ipv6:[fd00::1]:7789
  const m = /^(\w+):(\[[^\]]+\]|[^:]+):(\d+)$/.exec(text);
  if (!m) throw new Error(`cannot parse address ${text}`);
  return { af: m[1] as string, host: (m[2] as string).replace(/^\[|\]$/g, ''), port: Number(m[3]) };
}

export function formatAddress(a: Address): string {
  return a.af === 'ipv6' ? `${a.af}:[${a.host}]:${a.port}` : `${a.af}:${a.host}:${a.port}`;
}

function options(args: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const arg of args) {
    const m = /^--([^=]+)=(.*)$/.exec(arg);
    if (m) out[m[1] as string] = m[2] as string;
  }
  return out;
}

/**
 * The resource as `drbdadm -d up RES` prints it (drbd.md §9.7): new-resource (own node id), new-minor
 * (minor, volume), new-peer (peer id, name, net options), new-path (addresses), attach (minor, disk, meta disk).
 */
export function parseDryRunUp(name: string, text: string, devices: string[]): ResourceConfig {
  const res: ResourceConfig = { name, nodeId: -1, volumes: [], peers: [] };
  const disks = new Map<number, { disk: string; metaDisk: string }>();
  for (const raw of text.split('\n')) {
    const words = raw.trim().split(/\s+/);
    if (!words[0]?.endsWith('drbdsetup')) continue;
    const [, cmd, ...args] = words;
    if (cmd === 'new-resource' && args[0] === name) res.nodeId = Number(args[1]);
    if (cmd === 'new-minor' && args[0] === name) {
      res.volumes.push({ volume: Number(args[2]), minor: Number(args[1]), device: '', disk: 'none', metaDisk: 'internal' });
    }
    if (cmd === 'new-peer' && args[0] === name) {
      const opts = options(args.slice(2));
      res.peers.push({
        nodeId: Number(args[1]),
        name: opts._name ?? `peer${args[1]}`,
        local: { af: 'ipv4', host: '', port: 0 },
        remote: { af: 'ipv4', host: '', port: 0 },
        options: opts,
      });
    }
    if (cmd === 'new-path' && args[0] === name) {
      const peer = res.peers.find((p) => p.nodeId === Number(args[1]));
      if (peer && args[2] && args[3]) {
        peer.local = parseAddress(args[2]);
        peer.remote = parseAddress(args[3]);
      }
    }
    if (cmd === 'attach') disks.set(Number(args[0]), { disk: args[1] ?? 'none', metaDisk: args[2] ?? 'internal' });
  }
  res.volumes.sort((a, b) => a.volume - b.volume);
  res.volumes.forEach((v, i) => {
    v.device = devices[i] ?? `/dev/drbd${v.minor}`;
    const d = disks.get(v.minor);
    if (d) {
      v.disk = d.disk;
      v.metaDisk = d.metaDisk;
    }
  });
  if (res.nodeId < 0) throw new Error(`no new-resource line for ${name} in drbdadm's dry run`);
  return res;
}

export type RealResult = { stdout: string; stderr: string; status: number };

/**
 * Runs drbd-utils' drbdadm. Its PATH holds nothing so that its `modinfo -F version drbd` finds no module
 * (a stock Debian kernel ships DRBD 8.4, which would make drbdadm hand over to drbdadm-84); that
 * `modinfo: not found` line is removed from stderr.
 */
export function runReal(sim: SimEnv, args: string[]): RealResult {
  const r = spawnSync(sim.realDrbdadm, args, {
    encoding: 'utf8',
    env: { PATH: NO_PATH, LC_ALL: 'C', HOME: '/' },
    timeout: 30_000,
  });
  if (r.error) return { stdout: '', stderr: `drbdsim: cannot run ${sim.realDrbdadm}: ${r.error.message}\n`, status: 20 };
  // with an empty PATH drbdadm names drbdsetup by its full path; it prints a bare name on a normal system
  const stdout = r.stdout.replace(/^\S*\/(drbdsetup|drbdmeta|drbd-proxy-ctl) /gm, '$1 ');
  return { stdout, stderr: cleanStderr(r.stderr), status: r.status ?? 20 };
}

// a PATH entry that does not exist: drbdadm's popen("modinfo ...") finds nothing
const NO_PATH = '/nonexistent/tsha-drbdsim';

/** Removes drbdadm's complaints about the missing modinfo/modprobe. */
export function cleanStderr(text: string): string {
  return text
    .split('\n')
    .filter((l) => !/modinfo: not found|modprobe: not found|Failed to modprobe drbd/.test(l))
    .join('\n')
    .replace(/^\n+/, '');
}

export type ConfigResult = { ok: true; config: ResourceConfig; warnings: string } | { ok: false; stderr: string; status: number };

// ---- cached answers of drbd-utils' drbdadm ----
// Every simulated command needs the resource's configuration: two runs of the real drbdadm (`-d up`, `sh-dev`),
// each with its popen of modinfo through sh, ~30 ms together. Their answers depend only on the configuration
// files, the host name and the drbdadm binary, so they are kept in the state folder and used again while the
// fingerprint of those inputs is unchanged.

/** drbdadm's own search order when no `-c` is given. */
const DEFAULT_CONFIGS = ['/etc/drbd-90.conf', '/etc/drbd-84.conf', '/etc/drbd-83.conf', '/etc/drbd-82.conf', '/etc/drbd-08.conf', '/etc/drbd.conf'];
const MODULE_VERSION_FILES = ['/sys/module/drbd/version', '/proc/drbd'];
const CACHE_VERSION = 1;

/** `[-c FILE] -d up RES`, `[-c FILE] sh-dev RES`, `[-c FILE] sh-resources`: the configuration file, else undefined. */
function cacheableConfig(args: string[]): { config: string | undefined } | undefined {
  let rest = args;
  let config: string | undefined;
  if ((rest[0] === '-c' || rest[0] === '--config-file') && rest[1] !== undefined) {
    config = rest[1];
    rest = rest.slice(2);
  }
  // stdin cannot be fingerprinted
  if (config === '-') return undefined;
  const simple = (arg: string | undefined): boolean => arg !== undefined && !arg.startsWith('-');
  const [a, b, c] = rest;
  if (rest.length === 3 && a === '-d' && b === 'up' && simple(c)) return { config };
  if (rest.length === 2 && a === 'sh-dev' && simple(b)) return { config };
  if (rest.length === 1 && a === 'sh-resources') return { config };
  return undefined;
}

/**
 * Everything drbdadm reads to parse the configuration: the configuration file and whatever it may
 * include. Any word after `include` counts (comments too: more is only a miss); a pattern's whole folder counts
 * (every name in it, every file's content), relative patterns from the including file's folder and from the
 * working folder alike. Undefined when that cannot be told (wildcards in a folder, too many files).
 */
export function configFingerprint(configFile: string | undefined): string | undefined {
  // the texts themselves, not a digest: a few KB, and node:crypto would cost each command its loading
  const parts: string[] = [];
  const seen = new Set<string>();
  let files = 0;
  const visit = (file: string, depth: number): boolean => {
    if (seen.has(file)) return true;
    seen.add(file);
    if (++files > 200 || depth > 8) return false;
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      parts.push(`${file}\0${(error as NodeJS.ErrnoException).code ?? 'unreadable'}\0`);
      return true;
    }
    if (text.length > 1 << 20) return false;
    parts.push(`${file}\0${text.length}\0${text}\0`);
    for (const m of text.matchAll(/\binclude\s+"?([^";\s]+)/g)) {
      const pattern = m[1] as string;
      const candidates = path.isAbsolute(pattern) ? [pattern] : [path.resolve(path.dirname(file), pattern), path.resolve(pattern)];
      for (const resolved of candidates) {
        const dir = path.dirname(resolved);
        if (/[*?[]/.test(dir)) return false;
        if (!/[*?[]/.test(path.basename(resolved))) {
          if (!visit(resolved, depth + 1)) return false;
          continue;
        }
        let names: string[];
        try {
          names = readdirSync(dir).sort();
        } catch (error) {
          parts.push(`${dir}/\0${(error as NodeJS.ErrnoException).code ?? 'unreadable'}\0`);
          continue;
        }
        parts.push(`${dir}/\0${names.join('/')}\0`);
        for (const name of names) {
          const entry = path.join(dir, name);
          let isFile = false;
          try {
            isFile = statSync(entry).isFile();
          } catch {
            // gone meanwhile: its name counted
          }
          if (isFile && !visit(entry, depth + 1)) return false;
        }
      }
    }
    return true;
  };
  // drbdadm asks the loaded module's version there (and modinfo, which never answers here)
  const roots = [...(configFile === undefined ? DEFAULT_CONFIGS : [path.resolve(configFile)]), ...MODULE_VERSION_FILES];
  for (const root of roots) if (!visit(root, 0)) return undefined;
  return parts.join('');
}

/** FNV-1a, 32 bits: a file name for a key (a collision only costs a miss, the key is in the entry). */
function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(16).padStart(8, '0');
}

/** Where one question to drbdadm is cached, and what makes its answer valid, or undefined when not cacheable. */
function cacheEntry(sim: SimEnv, args: string[]): { file: string; fingerprint: string } | undefined {
  const cacheable = cacheableConfig(args);
  if (!cacheable) return undefined;
  let binary: string;
  try {
    const st = statSync(sim.realDrbdadm);
    binary = `${st.ino}:${st.size}:${st.mtimeMs}`;
  } catch {
    return undefined;
  }
  const content = configFingerprint(cacheable.config);
  if (!content) return undefined;
  const cwd = cacheable.config !== undefined && !path.isAbsolute(cacheable.config) ? process.cwd() : '';
  const key = JSON.stringify([CACHE_VERSION, sim.hostname, sim.realDrbdadm, cwd, args]);
  return { file: path.join(sim.stateDir, 'config-cache', `${fnv1a(key)}.json`), fingerprint: `${key}\0${binary}\0${content}` };
}

/** runReal for the configuration questions, answered from the cache while the configuration is unchanged. */
export function runRealCached(sim: SimEnv, args: string[]): RealResult {
  const entry = cacheEntry(sim, args);
  if (!entry) return runReal(sim, args);
  try {
    const cached = JSON.parse(readFileSync(entry.file, 'utf8')) as { fingerprint: string; result: RealResult };
    if (cached.fingerprint === entry.fingerprint) return cached.result;
  } catch {
    // no cache yet
  }
  const result = runReal(sim, args);
  // drbdadm could not run (status 20 with our own message): not an answer to keep
  if (result.stderr.startsWith('drbdsim: cannot run')) return result;
  try {
    mkdirSync(path.dirname(entry.file), { recursive: true, mode: 0o755 });
    const temp = `${entry.file}.${process.pid}.tmp`;
    writeFileSync(temp, JSON.stringify({ fingerprint: entry.fingerprint, result }), { mode: 0o644 });
    renameSync(temp, entry.file);
  } catch {
    // a read-only state folder: answers are not kept
  }
  return result;
}

/** One resource's configuration for this host, or drbdadm's own error (rc 1 when not defined for this host). */
export function loadResource(sim: SimEnv, configFile: string | undefined, name: string): ConfigResult {
  const base = configFile ? ['-c', configFile] : [];
  const dry = runRealCached(sim, [...base, '-d', 'up', name]);
  if (dry.status !== 0) return { ok: false, stderr: dry.stderr, status: dry.status };
  const dev = runRealCached(sim, [...base, 'sh-dev', name]);
  const devices = dev.status === 0 ? dev.stdout.split('\n').filter(Boolean) : [];
  try {
    return { ok: true, config: parseDryRunUp(name, dry.stdout, devices), warnings: dry.stderr };
  } catch (error) {
    return { ok: false, stderr: `drbdsim: ${(error as Error).message}\n`, status: 20 };
  }
}

/** All resource names of the configuration (`drbdadm sh-resources`). */
export function listResources(sim: SimEnv, configFile: string | undefined): string[] {
  const r = runRealCached(sim, [...(configFile ? ['-c', configFile] : []), 'sh-resources']);
  if (r.status !== 0) return [];
  return r.stdout.split(/\s+/).filter(Boolean);
}
