// SPDX-License-Identifier: GPL-2.0-or-later
// Helpers for tests, the lab and the demo: a drbd.conf for a resource, the drbdadm/drbdsetup/drbdsim
// wrappers that replace drbd-utils' on a node, and initial metadata.
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_REAL_DRBDADM, DEFAULT_STATE_DIR } from './config.js';
import { DEFAULT_KERNEL_VERSION, drbdadmVersion, drbdsetupVersion } from './format.js';
import { newGeneration } from './rules.js';
import { freshMeta, writeMeta } from './store.js';

export type DrbdNode = {
  /** `uname -n` of the node (the `on` section name) */
  name: string;
  /** replication address (eth2), IPv4 */
  address: string;
  /** backing block device; the same loop device on every node stands for synchronous replication */
  disk: string;
  /** default: the node's position in the list */
  nodeId?: number;
};

export type DrbdConfOptions = {
  nodes: DrbdNode[];
  /** default `drbddata` */
  resource?: string;
  /** default `/dev/drbd1` (minor from the number) */
  device?: string;
  /** default 7789 */
  port?: number;
  /** `net { fencing … }`, default none (dont-care) */
  fencing?: 'resource-only' | 'resource-and-stonith';
  /** default false */
  allowTwoPrimaries?: boolean;
};

/** The resource file text (drbd-utils 9 syntax; auto-promote off as Pacemaker-managed resources want). */
export function resourceConfText(opts: DrbdConfOptions): string {
  const name = opts.resource ?? 'drbddata';
  const device = opts.device ?? '/dev/drbd1';
  const minor = /(\d+)$/.exec(device)?.[1] ?? '1';
  const port = opts.port ?? 7789;
  const net = ['protocol C;'];
  if (opts.fencing) net.push(`fencing ${opts.fencing};`);
  if (opts.allowTwoPrimaries) net.push('allow-two-primaries yes;');
  const hosts = opts.nodes.map(
    (n, i) =>
      `  on ${n.name} {\n    node-id ${n.nodeId ?? i};\n    address ${n.address}:${port};\n    disk ${n.disk};\n  }\n`,
  );
  return (
    `# written by tsha drbdsim setup\nresource ${name} {\n  device ${device} minor ${minor};\n  meta-disk internal;\n` +
    `  options { auto-promote no; }\n  net { ${net.join(' ')} }\n${hosts.join('')}}\n`
  );
}

/**
 * Writes `<etcDir>/drbd.conf` (including `drbd.d/*.res`) and `<etcDir>/drbd.d/<resource>.res`; returns the
 * paths. Use `etcDir = /etc` on a lab node, a temporary folder with `drbdadm -c` elsewhere.
 */
export function writeDrbdConf(etcDir: string, opts: DrbdConfOptions): { confFile: string; resFile: string } {
  const dDir = path.join(etcDir, 'drbd.d');
  mkdirSync(dDir, { recursive: true });
  const confFile = path.join(etcDir, 'drbd.conf');
  const resFile = path.join(dDir, `${opts.resource ?? 'drbddata'}.res`);
  writeFileSync(confFile, `# written by tsha drbdsim setup\nglobal { usage-count no; }\ninclude "${dDir}/*.res";\n`);
  writeFileSync(resFile, resourceConfText(opts));
  return { confFile, resFile };
}

/**
 * Metadata as after `drbdadm create-md` on every node then `new-current-uuid --clear-bitmap`: the same
 * data generation, UpToDate everywhere (no initial resync). `disk: 'Inconsistent'` leaves it as create-md does.
 */
export function initMetadata(stateDir: string, resource: string, nodes: string[], disk: 'UpToDate' | 'Inconsistent' = 'UpToDate'): void {
  const gen = disk === 'UpToDate' ? newGeneration() : '0';
  for (const node of nodes) writeMeta(stateDir, node, resource, { ...freshMeta(), disk, gen });
}

export type WrapperOptions = {
  /** folder of the entry points (default: their bundles, dist/bundle/drbdsim, when built, else this module's folder) */
  jsDir?: string;
  /** absolute node binary (default: this process') */
  node?: string;
  /** shared state folder baked into the wrappers (default /var/lib/tsha-drbdsim; TSHA_DRBDSIM_STATE overrides at run time) */
  stateDir?: string;
  /** drbd-utils' drbdadm, kept reachable when the wrapper hides /usr/sbin/drbdadm */
  realDrbdadm?: string;
};

const here = path.dirname(fileURLToPath(import.meta.url));
// scripts/drbdsim/bundle.mjs: one CommonJS file per entry point, much cheaper to start than the modules
const bundled = path.join(here, '..', '..', 'bundle', 'drbdsim');
export const WRAPPER_MARK = '# tsha drbdsim wrapper';

/** The entry points' folder: the bundles when they were built. */
export function defaultJsDir(): string {
  return existsSync(path.join(bundled, 'drbdadm.js')) ? bundled : here;
}

/**
 * /bin/sh wrappers `drbdadm`, `drbdsetup`, `drbdsim` for a node. `drbdadm --version` and `drbdsetup --version`
 * (alone, with the default module version) are answered by the wrapper itself, from the text the simulator
 * prints (format.ts), written in at install time: the agents ask it in every action, and it needs no node.
 */
export function wrapperScripts(opts: WrapperOptions = {}): Record<'drbdadm' | 'drbdsetup' | 'drbdsim', string> {
  const jsDir = opts.jsDir ?? defaultJsDir();
  const node = opts.node ?? process.execPath;
  const state = opts.stateDir ?? DEFAULT_STATE_DIR;
  const real = opts.realDrbdadm ?? DEFAULT_REAL_DRBDADM;
  const q = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;
  const version = (text: string | undefined): string =>
    text === undefined
      ? ''
      : 'if [ $# -eq 1 ] && [ -z "${TSHA_DRBDSIM_KERNEL_VERSION:-}" ]; then\n' +
        `  case $1 in --version|-V) printf '%s' ${q(text)}; exit 0 ;; esac\n` +
        'fi\n';
  const script = (entry: string, versionText?: string): string =>
    `#!/bin/sh\n${WRAPPER_MARK}: drbd-utils 9.22 command line on a node without the DRBD module\n` +
    version(versionText) +
    `TSHA_DRBDSIM_STATE=\${TSHA_DRBDSIM_STATE:-${q(state)}}\n` +
    `TSHA_DRBDSIM_REAL_DRBDADM=\${TSHA_DRBDSIM_REAL_DRBDADM:-${q(real)}}\n` +
    'export TSHA_DRBDSIM_STATE TSHA_DRBDSIM_REAL_DRBDADM\n' +
    `exec ${q(node)} ${q(path.join(jsDir, entry))} "$@"\n`;
  return {
    drbdadm: script('drbdadm.js', drbdadmVersion(DEFAULT_KERNEL_VERSION)),
    drbdsetup: script('drbdsetup.js', drbdsetupVersion(DEFAULT_KERNEL_VERSION)),
    drbdsim: script('drbdsim.js'),
  };
}

/**
 * Writes the wrappers into `binDir` (mode 0755). Unless `realDrbdadm` is given, drbd-utils' drbdadm is copied to
 * `<binDir>/drbdadm.real` first, so it stays reachable once the wrapper is bind-mounted over /usr/sbin/drbdadm.
 */
export function installWrappers(binDir: string, opts: WrapperOptions = {}): Record<'drbdadm' | 'drbdsetup' | 'drbdsim', string> {
  mkdirSync(binDir, { recursive: true });
  let real = opts.realDrbdadm;
  if (!real) {
    real = path.join(binDir, 'drbdadm.real');
    if (readFileSync(DEFAULT_REAL_DRBDADM).includes(WRAPPER_MARK)) throw new Error(`${DEFAULT_REAL_DRBDADM} is already a drbdsim wrapper`);
    copyFileSync(DEFAULT_REAL_DRBDADM, real);
  }
  const scripts = wrapperScripts({ ...opts, realDrbdadm: real });
  const paths = { drbdadm: '', drbdsetup: '', drbdsim: '' };
  for (const name of ['drbdadm', 'drbdsetup', 'drbdsim'] as const) {
    paths[name] = path.join(binDir, name);
    writeFileSync(paths[name], scripts[name], { mode: 0o755 });
  }
  return paths;
}
