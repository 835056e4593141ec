// SPDX-License-Identifier: GPL-2.0-or-later
// The event watch daemon: one per node for every watched tsha resource. It follows the registrations in
// $HA_RSCTMP/tsha-watch/ (fs.watch), runs one event source per kind registered (`ip -o monitor link address`,
// `findmnt --poll` and a watch of the device's folder, `drbdsetup events2 all`), and on an event that may concern
// a registration, after the burst settles, runs that agent's own monitor. A monitor that fails is reported with
// `crm_resource --fail`, once per start, when the registration still stands and the cluster lets us act. It
// exits when no registration is left; its sources, each in its own process group, die with it.
import { watch as watchFs, promises as fs, type FSWatcher } from 'node:fs';
import path from 'node:path';
import { createDeadline } from '../deadline.js';
import { createExec, firstLine } from '../exec.js';
import { errorMessage } from '../ocf/errors.js';
import type { Logger } from '../log.js';
import { instanceLocked, stateFileName } from '../state.js';
import { mayReport } from './cluster.js';
import { drbdEventResource, ipEventConcerns, mountEventConcerns, parseFindmntPollLine, parseIpMonitorLine, type InterestKind } from './interest.js';
import { CONFIRM_BUSY, CONFIRM_ENV } from './lifecycle.js';
import {
  claimPidFile,
  listRegistrations,
  markReported,
  readRegistration,
  releasePidFile,
  reportedGeneration,
  type Registration,
} from './registry.js';

// Events come in bursts (an address and its routes, a link's flags one by one): one monitor after the burst.
const SETTLE_MS = 25;
// While an action of the resource holds its lock, a monitor says nothing about a failure: look again later.
const BUSY_RETRY_MS = 500;
const RESTART_SOURCE_MS = 1000;
const SOURCE_LIFETIME_MS = 7 * 24 * 3600 * 1000; // a source ends (and starts again) once a week at most
const DEFAULT_MONITOR_TIMEOUT_MS = 20_000;
const CONFIRM_INTERVAL = '10000';
const CLUSTER_TIMEOUT_MS = 15_000;

/** The event sources, each the argv of one long-lived command; the daemon starts those its registrations need. */
export const SOURCES: Record<InterestKind, readonly string[]> = {
  ip: ['ip', '-o', 'monitor', 'link', 'address'],
  mount: ['findmnt', '--poll', '-n', '-r', '-o', 'ACTION,TARGET,SOURCE,OLD-TARGET'],
  drbd: ['drbdsetup', 'events2', 'all'],
};

// again: a confirmation asked for while one runs, and after how long
type Pending = { timer?: NodeJS.Timeout; running: boolean; again: number | undefined };

export type DaemonOptions = { readonly dir: string; readonly log: Logger; readonly ocfRoot?: string };

export class WatchDaemon {
  private readonly registrations = new Map<string, Registration>();
  private readonly pending = new Map<string, Pending>();
  private readonly sources = new Set<InterestKind>();
  private readonly deviceWatchers = new Map<string, FSWatcher>();
  private dirWatcher: FSWatcher | undefined;
  private rescanTimer: NodeJS.Timeout | undefined;
  private exiting = false;

  constructor(private readonly options: DaemonOptions) {}

  private get log(): Logger {
    return this.options.log;
  }

  /** Runs until no registration is left; false when another daemon runs already. */
  async run(): Promise<boolean> {
    const { dir } = this.options;
    if (!(await claimPidFile(dir))) return false;
    this.log.info('event watch started', { dir });
    this.dirWatcher = watchFs(dir, () => this.rescanSoon());
    await this.rescan();
    return new Promise<boolean>((resolve) => {
      this.onExit = () => resolve(true);
    });
  }

  private onExit: () => void = () => {};

  private rescanSoon(): void {
    if (this.rescanTimer) return;
    this.rescanTimer = setTimeout(() => {
      this.rescanTimer = undefined;
      void this.rescan();
    }, 20);
  }

  private async rescan(): Promise<void> {
    const { dir } = this.options;
    const names = await listRegistrations(dir);
    const seen = new Set<string>();
    for (const name of names) {
      const registration = await readRegistration(dir, name);
      if (!registration) continue;
      seen.add(name);
      this.registrations.set(name, registration);
    }
    for (const name of [...this.registrations.keys()]) if (!seen.has(name)) this.registrations.delete(name);
    if (this.registrations.size === 0) {
      await this.exitIfIdle();
      return;
    }
    for (const registration of this.registrations.values()) {
      this.startSource(registration.interest.kind);
      if (registration.interest.kind === 'mount') this.watchDevice(registration.interest.device);
    }
  }

  /**
   * No registration left: the pid file goes first, then the folder is read once more, so that a start that
   * registered meanwhile either sees no daemon (and starts one) or is seen here.
   */
  private async exitIfIdle(): Promise<void> {
    if (this.exiting) return;
    this.exiting = true;
    await releasePidFile(this.options.dir);
    if ((await listRegistrations(this.options.dir)).length > 0 && (await claimPidFile(this.options.dir))) {
      this.exiting = false;
      await this.rescan();
      return;
    }
    this.log.info('event watch: nothing left to watch, exiting');
    this.dirWatcher?.close();
    for (const watcher of this.deviceWatchers.values()) watcher.close();
    for (const p of this.pending.values()) clearTimeout(p.timer);
    this.onExit();
  }

  private startSource(kind: InterestKind): void {
    if (this.sources.has(kind) || this.exiting) return;
    this.sources.add(kind);
    const [file, ...args] = SOURCES[kind] as [string, ...string[]];
    let started = false;
    const onLine = (line: string): boolean => {
      if (kind === 'drbd') {
        // the initial dump (`exists` lines up to `exists -`) is the state, not an event
        if (line.startsWith('exists')) return false;
        started = true;
      }
      this.onEvent(kind, line);
      return false;
    };
    const exec = createExec(createDeadline(SOURCE_LIFETIME_MS, Date.now()), this.log);
    exec
      .watch(file, args, onLine)
      .then((result) => {
        if (this.exiting) return;
        this.log.warn('event watch: an event source ended; starting it again', { command: result.command, rc: result.exitCode, stderr: firstLine(result.stderr), started });
        setTimeout(() => {
          this.sources.delete(kind);
          if (this.needs(kind)) this.startSource(kind);
        }, RESTART_SOURCE_MS).unref();
      })
      .catch((error: unknown) => {
        // the program is missing: these resources are watched by their monitor only
        this.log.warn('event watch: cannot follow events; only the monitor detects these failures', { command: file, error: errorMessage(error) });
      });
  }

  private needs(kind: InterestKind): boolean {
    return [...this.registrations.values()].some((r) => r.interest.kind === kind);
  }

  /** A device that goes away (its node removed from /dev) may leave the mount in place: watched by its folder. */
  private watchDevice(device: string): void {
    if (!device.startsWith('/')) return; // UUID=, LABEL=, server:/export: the mount table tells
    const folder = path.dirname(device);
    if (this.deviceWatchers.has(folder)) return;
    try {
      const watcher = watchFs(folder, (_event, filename) => {
        for (const [name, r] of this.registrations) {
          if (r.interest.kind === 'mount' && path.dirname(r.interest.device) === folder && path.basename(r.interest.device) === filename) {
            this.schedule(name);
          }
        }
      });
      watcher.on('error', () => this.deviceWatchers.delete(folder));
      this.deviceWatchers.set(folder, watcher);
    } catch (error) {
      this.log.debug('event watch: cannot watch the device folder', { folder, error: errorMessage(error) });
    }
  }

  private onEvent(kind: InterestKind, line: string): void {
    const ip = kind === 'ip' ? parseIpMonitorLine(line) : undefined;
    const mount = kind === 'mount' ? parseFindmntPollLine(line) : undefined;
    const drbd = kind === 'drbd' ? drbdEventResource(line) : undefined;
    for (const [name, r] of this.registrations) {
      const i = r.interest;
      const concerns =
        (i.kind === 'ip' && ip !== undefined && ipEventConcerns(i, ip)) ||
        (i.kind === 'mount' && mount !== undefined && mountEventConcerns(i, mount)) ||
        (i.kind === 'drbd' && drbd === i.resource);
      if (concerns) this.schedule(name);
    }
  }

  /** One confirmation per burst and registration; an event during a confirmation asks for one more after it. */
  schedule(name: string, delay = SETTLE_MS): void {
    const p = this.pending.get(name) ?? { running: false, again: undefined };
    this.pending.set(name, p);
    if (p.running) {
      p.again = Math.min(p.again ?? delay, delay);
      return;
    }
    if (p.timer) return;
    p.timer = setTimeout(() => {
      p.timer = undefined;
      p.running = true;
      this.confirm(name)
        .catch((error: unknown) => this.log.warn('event watch: confirmation failed', { registration: name, error: errorMessage(error) }))
        .finally(() => {
          p.running = false;
          if (p.again !== undefined) {
            const again = p.again;
            p.again = undefined;
            this.schedule(name, again);
          } else if (!p.timer) this.pending.delete(name);
        });
    }, delay);
  }

  private agentPath(r: Registration): string {
    return path.join(r.env.OCF_ROOT || this.options.ocfRoot || '/usr/lib/ocf', 'resource.d', 'tsha', r.agent);
  }

  private async confirm(name: string): Promise<void> {
    const { dir } = this.options;
    const r = await readRegistration(dir, name);
    if (!r) return;
    const lockDir = path.dirname(dir);
    const lockName = stateFileName(r.agent, r.instance);
    // an action of the resource runs: it checks what the monitor would; look again once it is done
    if (await instanceLocked(lockDir, lockName)) {
      this.schedule(name, BUSY_RETRY_MS);
      return;
    }
    const timeoutMs = r.monitorTimeoutMs ?? DEFAULT_MONITOR_TIMEOUT_MS;
    const exec = createExec(createDeadline(timeoutMs + CLUSTER_TIMEOUT_MS, Date.now()), this.log);
    const env = { ...r.env, OCF_RESKEY_CRM_meta_interval: CONFIRM_INTERVAL, OCF_RESKEY_CRM_meta_timeout: String(timeoutMs), [CONFIRM_ENV]: '1' };
    // the cluster's state is asked while the monitor runs: a failure is then reported one crm_mon sooner
    const asked = exec.run('crm_mon', ['--output-as=xml'], { timeoutMs: CLUSTER_TIMEOUT_MS }).catch(() => undefined);
    const monitor = await exec.run(this.agentPath(r), ['monitor'], { env, timeoutMs });
    if (monitor.exitCode === 0 || monitor.exitCode === 8) {
      this.log.debug('event watch: monitor confirms the resource is healthy', { resource: r.instance, rc: monitor.exitCode });
      return;
    }
    // an action of the resource came (a stop, a promote): the monitor gave way to it, or ended by its SIGTERM
    const gaveWay = monitor.exitCode === CONFIRM_BUSY || (monitor.exitCode === undefined && !monitor.timedOut);
    if (gaveWay || (await instanceLocked(lockDir, lockName))) {
      this.schedule(name, BUSY_RETRY_MS);
      return;
    }
    const now = await readRegistration(dir, name);
    if (now?.generation !== r.generation) return; // stopped (or started again) meanwhile: the agent's own doing
    if ((await reportedGeneration(dir, name)) === r.generation) return;
    const reason = /ocf-exit-reason:(.*)/.exec(monitor.stderr)?.[1]?.trim();
    const status = await asked;
    if (!status?.ok) {
      this.log.warn('event watch: failure seen but the cluster cannot be asked; not reported', { resource: r.instance, rc: monitor.exitCode, reason });
      return;
    }
    const verdict = mayReport(status.stdout, r.resource, r.node);
    if (!verdict.act) {
      this.log.info('event watch: failure seen, not reported', { resource: r.instance, rc: monitor.exitCode, why: verdict.why });
      return;
    }
    // the registration may have gone while crm_mon ran
    if ((await readRegistration(dir, name))?.generation !== r.generation) return;
    const report = await exec
      .run('crm_resource', ['--fail', '--resource', r.resource, '--node', r.node], { timeoutMs: CLUSTER_TIMEOUT_MS })
      .catch(() => undefined);
    if (!report?.ok) {
      this.log.warn('event watch: could not report the failure', { resource: r.resource, node: r.node, stderr: firstLine(report?.stderr ?? '') });
      return;
    }
    await markReported(dir, name, r.generation);
    this.log.warn('event watch: failure reported to Pacemaker', { resource: r.resource, node: r.node, rc: monitor.exitCode, reason });
  }
}

/**
 * Sources left by a daemon that was killed (SIGKILL gives it no time to end them): their argv is one of
 * SOURCES and their parent is no live watch daemon. They would die at their next line anyway (SIGPIPE).
 */
export async function killOrphanSources(): Promise<number> {
  let killed = 0;
  for (const entry of await fs.readdir('/proc').catch(() => [] as string[])) {
    if (!/^\d+$/.test(entry)) continue;
    const argv = (await fs.readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '')).split('\0').filter(Boolean);
    if (!isSourceArgv(argv)) continue;
    const stat = await fs.readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ppid = Number(fields[1]);
    const pgid = Number(fields[2]);
    const parent = (await fs.readFile(`/proc/${ppid}/cmdline`, 'utf8').catch(() => '')).split('\0');
    if (parent.some((a) => a.endsWith('/lib/watch/daemon-main.js'))) continue;
    if (pgid !== Number(entry)) continue; // ours lead their own group; anything else is someone's
    try {
      process.kill(-pgid, 'SIGKILL');
      killed++;
    } catch {
      // gone meanwhile
    }
  }
  return killed;
}

/** argv of one of SOURCES, run directly or through a wrapper (drbdsetup may be a script). */
export function isSourceArgv(argv: readonly string[]): boolean {
  return Object.values(SOURCES).some(([file, ...args]) => {
    if (argv.length <= args.length || argv.slice(-args.length).join('\0') !== args.join('\0')) return false;
    return argv.slice(0, -args.length).some((a) => path.basename(a) === file);
  });
}
