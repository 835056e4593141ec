// SPDX-License-Identifier: GPL-2.0-or-later
// drbdadm, drbdsetup and friends, each call bounded by the operation's deadline through ctx.exec. Callers get
// typed results and choose the OCF code.
import { readFile } from 'node:fs/promises';
import { OcfError } from '../../lib/ocf/errors.js';
import type { ExecResult } from '../../lib/exec.js';
import { sleepWithin } from '../../lib/deadline.js';
import type { Ctx } from './params.js';
import { Events2Tracker, parseEvents2 } from './events2.js';
import { DOWN, type DrbdState } from './model.js';
import { parseShStatus, parseStatusText } from './status.js';
import { isV9, parseDrbdadmVersion, parseProcDrbdVersion, type Version } from './version.js';

// drbdsetup/drbdadm exit codes (reference drbd.md §10).
export const DRBD_RC = {
  /** Usage error, or resource not in the configuration. */
  USAGE: 1,
  /** State change refused: peer still Primary, device held open, no quorum, ... */
  STATE_CHANGE_REFUSED: 11,
  /** No access to UpToDate data. */
  NO_UP_TO_DATE_DATA: 17,
  /** Kernel error (unknown resource, minor not allocated). */
  KERNEL_ERROR: 10,
  /** No module, exec error. */
  NO_MODULE: 20,
} as const;

/** The peers `crm_resource --locate` reports as Promoted (Pacemaker ≥ 2.1) or Master (older). */
export function parseLocatePromoted(text: string): string[] {
  const nodes: string[] = [];
  for (const line of text.split('\n')) {
    const match = /is running on:\s*(\S+)\s+(Promoted|Master)\b/.exec(line);
    if (match) nodes.push(match[1]!);
  }
  return nodes;
}

const perRun = new WeakMap<Ctx, Drbd>();

/** The run's Drbd: validation and the handler share what it has learnt (the module's version). */
export function drbdOf(ctx: Ctx): Drbd {
  let drbd = perRun.get(ctx);
  if (!drbd) perRun.set(ctx, (drbd = new Drbd(ctx)));
  return drbd;
}

export class Drbd {
  private kernelVersion: Promise<Version | undefined> | null = null;

  constructor(private readonly ctx: Ctx) {}

  get resource(): string {
    return this.ctx.params.drbd_resource;
  }

  adm(args: readonly string[], timeoutMs?: number): Promise<ExecResult> {
    return this.ctx.exec.run('drbdadm', ['-c', this.ctx.params.drbdconf, ...args], timeoutMs === undefined ? {} : { timeoutMs });
  }

  setup(args: readonly string[], timeoutMs?: number): Promise<ExecResult> {
    return this.ctx.exec.run('drbdsetup', args, timeoutMs === undefined ? {} : { timeoutMs });
  }

  /**
   * The loaded module's version, or undefined when no module is loaded (cached for the run). A loaded module
   * shows in /proc/drbd, where drbdadm --version reads it too: no process then. Without /proc/drbd, drbdadm is
   * asked (the simulator's drbdadm reports a module that has no /proc/drbd). modinfo would name a module merely
   * installed, so it is not asked.
   */
  kernel(): Promise<Version | undefined> {
    this.kernelVersion ??= this.readKernel();
    return this.kernelVersion;
  }

  /** Starts reading the module's version, for a caller that has something else to do meanwhile. */
  prefetchKernel(): void {
    // a failure reaches whoever awaits kernel() later; nobody may await it (a failed validation)
    this.kernel().catch(() => undefined);
  }

  private async readKernel(): Promise<Version | undefined> {
    const proc = parseProcDrbdVersion(await readFile('/proc/drbd', 'utf8').catch(() => ''));
    if (proc) return proc;
    const answer = await this.ctx.exec.run('drbdadm', ['--version']);
    // no answer is not "no module": that would make a running resource look down (monitor 7, stop 0)
    if (answer.timedOut) throw OcfError.generic(`cannot tell whether DRBD runs: ${failure(answer)}`);
    return parseDrbdadmVersion(answer.stdout).kernel;
  }

  /** After loading the module: read the version again. */
  forgetKernel(): void {
    this.kernelVersion = null;
  }

  /** Whether a loaded module speaks DRBD 9 (events2). */
  async isV9(): Promise<boolean> {
    const kernel = await this.kernel();
    return kernel !== undefined && isV9(kernel);
  }

  /** The resource's state now. A missing module or resource is `up: false`. */
  async state(): Promise<DrbdState> {
    // Without a module nothing runs; and drbdsetup would try to modprobe one.
    if (!(await this.kernel())) return DOWN;
    if (!(await this.isV9())) {
      const result = await this.setup(['sh-status', this.resource]);
      if (result.ok) return parseShStatus(result.stdout, this.resource);
      if (result.exitCode === DRBD_RC.NO_MODULE) return DOWN;
      throw OcfError.generic(`cannot read the state of DRBD resource \`${this.resource}\`: ${failure(result)}`);
    }
    const events = await this.setup(['events2', '--now', this.resource]);
    if (events.ok) return parseEvents2(events.stdout, this.resource);
    if (events.exitCode === DRBD_RC.NO_MODULE) return DOWN;
    // events2 should not fail otherwise; ask the text status before concluding anything.
    const status = await this.setup(['status', this.resource, '--verbose']);
    if (status.ok) return parseStatusText(status.stdout, this.resource);
    if (status.exitCode === DRBD_RC.KERNEL_ERROR || status.exitCode === DRBD_RC.NO_MODULE) return DOWN;
    throw OcfError.generic(`cannot read the state of DRBD resource \`${this.resource}\`: ${failure(events)}`);
  }

  /**
   * Follows `drbdsetup events2 RES` until `done(state)` holds, the time runs out or the stream ends, and returns
   * the last state seen. Event-driven: no polling, every state change is a line.
   */
  async waitFor(done: (state: DrbdState) => boolean, timeoutMs: number): Promise<{ state: DrbdState; met: boolean }> {
    if (timeoutMs <= 0 || !(await this.isV9())) {
      const state = await this.state();
      return { state, met: done(state) };
    }
    const tracker = new Events2Tracker(this.resource);
    let met = false;
    const result = await this.ctx.exec.watch('drbdsetup', ['events2', this.resource], (line) => {
      if (!tracker.apply(line) || !tracker.complete) return false;
      met = done(tracker.state());
      return met;
    }, { timeoutMs });
    if (!tracker.complete) {
      // The stream never delivered a full state (no module, or it failed): ask once.
      const state = await this.state();
      return { state, met: done(state) };
    }
    if (result.ended === 'exited' && !met) this.ctx.log.debug('events2 stream ended early', { rc: result.exitCode });
    return { state: tracker.state(), met };
  }

  /**
   * Waits for the next state change of the resource (a line of events2 after its initial dump), at most
   * timeoutMs; used between tries of a refused state change instead of a fixed sleep.
   */
  async waitForChange(timeoutMs: number): Promise<void> {
    if (timeoutMs <= 0) return;
    const began = Date.now();
    if (await this.isV9()) {
      const tracker = new Events2Tracker(this.resource);
      const result = await this.ctx.exec.watch('drbdsetup', ['events2', this.resource], (line) => {
        const wasComplete = tracker.complete;
        return tracker.apply(line) && wasComplete;
      }, { timeoutMs });
      if (result.ended !== 'exited') return;
    }
    // No event stream here (DRBD 8.4, or the stream ended at once): do not retry in a tight loop.
    await sleepWithin(this.ctx.deadline, Math.max(0, Math.min(1000, timeoutMs - (Date.now() - began))));
  }
}

const VERSION_WARNING = /^(DRBD module version|userland version): |^preferably kernel and userland versions should match/;

/** What a failed command said, short enough for an exit reason (Pacemaker keeps 128 characters). */
export function failure(result: ExecResult): string {
  if (result.timedOut) return `\`${result.command}\` timed out`;
  const text = (result.stderr.trim() || result.stdout.trim())
    .split('\n')
    .map((l) => l.trim())
    // drbdadm shells out to modinfo and lets its complaint through; drbdadm repeats drbdsetup's rc; drbdadm warns
    // of a module and utils version mismatch before every error (it would push the error out of the reason).
    .filter((l) => l && !/modinfo: not found$/.test(l) && !/^Command '.*' terminated with exit code \d+$/.test(l) && !VERSION_WARNING.test(l))
    .join(' ');
  return text ? `${text} (rc ${result.exitCode})` : `\`${result.command}\` failed (rc ${result.exitCode})`;
}
