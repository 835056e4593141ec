// SPDX-License-Identifier: GPL-2.0-or-later
// The handlers of ocf:tsha:drbd (reference drbd.md §6). Waiting is event-driven (drbdsetup events2) and bounded
// by wfc_timeout and the operation's deadline; retries of refused state changes wait for the next state change.
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { deletePromotionScore, setPromotionScore } from '../../lib/crm.js';
import { OcfExit, type OcfExitCode } from '../../lib/ocf/exit-codes.js';
import { OcfError, errorMessage } from '../../lib/ocf/errors.js';
import type { ExecResult } from '../../lib/exec.js';
import { metaProblems } from './meta-checks.js';
import { DOWN, connectedAndSettled, deriveFacts, disksSettled, type DrbdState } from './model.js';
import { decideScoreForState } from './score.js';
import type { Ctx } from './params.js';
import { DRBD_RC, Drbd, drbdOf, failure, parseLocatePromoted } from './tools.js';
import { compareVersions, formatVersion } from './version.js';

// Time kept back at the end of start, stop and promote for the score and the exit reason.
const RESERVE_MS = 2000;
// Longest wait for a state change between two tries of a refused state change.
const RETRY_WAIT_MS = 2000;

const budget = (ctx: Ctx): number => ctx.deadline.remaining() - Math.min(RESERVE_MS, ctx.meta.timeout / 4);

/** Monitor's answer for a state: 8 Primary, 9 Primary with a failed disk, 0 Secondary, 7 down. */
export function monitorCode(state: DrbdState): OcfExitCode {
  if (!state.up) return OcfExit.NOT_RUNNING;
  const facts = deriveFacts(state);
  if (!facts.primary) return OcfExit.SUCCESS;
  return facts.localDiskFailed ? OcfExit.FAILED_PROMOTED : OcfExit.RUNNING_PROMOTED;
}

/** Nodes Pacemaker shows as Promoted for this clone, or undefined when it cannot be asked. */
async function promotedPerPacemaker(ctx: Ctx): Promise<string[] | undefined> {
  const rsc = ctx.instance.replace(/:\d+$/, '');
  // at most half the time left: a hung CIB must leave time for the score and the answer
  const timeoutMs = Math.max(1, Math.floor(ctx.deadline.remaining() / 2));
  const result = await ctx.exec.run('crm_resource', ['--resource', rsc, '--locate'], { timeoutMs }).catch(() => undefined);
  return result?.ok ? parseLocatePromoted(result.stdout) : undefined;
}

async function updateScore(ctx: Ctx, drbd: Drbd, state: DrbdState): Promise<void> {
  const facts = state.up ? deriveFacts(state) : undefined;
  const mode = ctx.params.remove_master_score_if_peer_primary;
  let removeIfPeerPrimary = mode === 'true';
  if (mode === 'unexpected' && facts && !facts.primary && facts.somePeerPrimary) {
    removeIfPeerPrimary = (await promotedPerPacemaker(ctx))?.length === 0;
  }
  const decision = decideScoreForState(state, ctx.params.adjust_master_score, removeIfPeerPrimary);
  ctx.log.debug('promotion score', { decision });
  // the score and the fencing constraint are independent: both commands run at once
  const unfence = async (): Promise<void> => {
    if (!(ctx.params.unfence_if_all_uptodate && facts?.primary && facts.allLocalUpToDate && facts.allPeerDisksUpToDate)) return;
    const result = await drbd.adm(['unfence-peer', drbd.resource]);
    if (!result.ok) ctx.log.warn('unfence-peer failed', { reason: failure(result) });
  };
  const score = async (): Promise<unknown> => {
    if (decision.action === 'set') return setPromotionScore(ctx.exec, ctx.log, decision.score);
    if (decision.action === 'delete') return deletePromotionScore(ctx.exec, ctx.log);
    return undefined;
  };
  await Promise.all([score(), unfence()]);
}

/** Marks the local data Outdated when the notification data names another node as Promoted. */
async function maybeOutdateSelf(ctx: Ctx, drbd: Drbd): Promise<void> {
  if (!ctx.params.stop_outdates_secondary) return;
  const me = ctx.node.toLowerCase();
  const others = ctx.meta.notifyData.promoted.uname.filter((n) => n.toLowerCase() !== me);
  if (others.length === 0) return;
  const result = await drbd.adm(['outdate', drbd.resource]);
  if (result.ok) ctx.log.info('local data outdated', { promoted: others });
  else ctx.log.warn('could not outdate the local data', { reason: failure(result) });
}

async function checkModuleVersion(ctx: Ctx, drbd: Drbd): Promise<void> {
  const kernel = await drbd.kernel();
  if (!kernel) throw OcfError.installed('DRBD kernel module not available');
  const ge = ctx.params.require_drbd_module_version_ge;
  const lt = ctx.params.require_drbd_module_version_lt;
  if (compareVersions(kernel, ge) < 0) {
    throw OcfError.installed(`DRBD kernel module ${formatVersion(kernel)} is older than \`require_drbd_module_version_ge\` ${formatVersion(ge)}`);
  }
  if (compareVersions(kernel, lt) >= 0) {
    throw OcfError.installed(`DRBD kernel module ${formatVersion(kernel)} is not below \`require_drbd_module_version_lt\` ${formatVersion(lt)}`);
  }
}

/** Loads the module when no DRBD answers (`modprobe -s drbd` with drbdadm's module parameters). */
async function ensureModule(ctx: Ctx, drbd: Drbd): Promise<void> {
  if (await drbd.kernel()) return;
  const parms = await drbd.adm(['sh-mod-parms']);
  const args = parms.ok ? parms.stdout.split(/\s+/).filter(Boolean) : [];
  const loaded = await ctx.exec.run('modprobe', ['-s', 'drbd', ...args]).catch((error: unknown) => {
    throw OcfError.installed(`cannot load the drbd kernel module: ${errorMessage(error)}`);
  });
  if (!loaded.ok) throw OcfError.installed(`cannot load the drbd kernel module: ${failure(loaded)}`);
  drbd.forgetKernel();
}

export async function start(ctx: Ctx): Promise<OcfExitCode> {
  const drbd = drbdOf(ctx);
  await ensureModule(ctx, drbd);
  await checkModuleVersion(ctx, drbd);
  let state = await drbd.state();
  const bringUp: ExecResult = state.up ? await drbd.adm(['adjust', drbd.resource]) : await drbd.adm(['up', drbd.resource]);
  if (!bringUp.ok) {
    state = await drbd.state();
    // adjust may complain about one detail of a resource that is up; up must work.
    if (!state.up) throw OcfError.generic(`cannot bring up DRBD resource \`${drbd.resource}\`: ${failure(bringUp)}`);
    ctx.log.warn('drbdadm adjust reported a problem', { reason: failure(bringUp) });
  }

  // Wait for the peer (bounded by wfc_timeout), then in any case for the disk to leave Attaching/Negotiating.
  const wfcMs = ctx.params.wfc_timeout * 1000;
  if (wfcMs > 0) {
    if (await drbd.isV9()) {
      state = (await drbd.waitFor(connectedAndSettled, Math.min(wfcMs, budget(ctx)))).state;
    } else {
      await waitConnect84(ctx, drbd, wfcMs);
      state = await drbd.state();
    }
  }
  if (!disksSettled(state)) state = (await drbd.waitFor(disksSettled, budget(ctx))).state;
  if (!state.up) throw OcfError.generic(`DRBD resource \`${drbd.resource}\` went down during start`);
  if (!disksSettled(state)) throw OcfError.generic(`the disk of DRBD resource \`${drbd.resource}\` is still attaching at the start deadline`);
  const facts = deriveFacts(state);
  if (facts.localDiskFailed) {
    const disks = state.devices.map((d) => d.disk).join(',');
    throw OcfError.generic(`DRBD resource \`${drbd.resource}\` failed to attach its disk (disk ${disks})`);
  }
  if (facts.primary) {
    // A started clone instance must be unpromoted.
    ctx.log.info('resource already Primary, demoting');
    const secondary = await drbd.adm(['secondary', drbd.resource]);
    if (!secondary.ok) throw OcfError.generic(`cannot demote DRBD resource \`${drbd.resource}\` at start: ${failure(secondary)}`);
    state = afterStep(state, 'secondary');
  }
  await updateScore(ctx, drbd, state);
  ctx.log.info('started', { connected: state.up && deriveFacts(state).allConnected, disks: state.up ? state.devices.map((d) => d.disk) : [] });
  return OcfExit.SUCCESS;
}

/** DRBD 8.4 has no events2: the kernel's own wait-connect, per minor, bounded like the 9.x wait. */
async function waitConnect84(ctx: Ctx, drbd: Drbd, wfcMs: number): Promise<void> {
  const state = await drbd.state();
  if (!state.up) return;
  const seconds = String(Math.ceil(wfcMs / 1000));
  for (const device of state.devices) {
    if (device.minor === undefined) continue;
    const opts = [`--wfc-timeout=${seconds}`, `--degr-wfc-timeout=${seconds}`, `--outdated-wfc-timeout=${seconds}`];
    const result = await drbd.setup(['wait-connect', String(device.minor), ...opts], Math.min(wfcMs + 1000, Math.max(1, budget(ctx))));
    if (!result.ok) ctx.log.info('peer not connected yet', { minor: device.minor, reason: failure(result) });
  }
}

export async function stop(ctx: Ctx): Promise<OcfExitCode> {
  const drbd = drbdOf(ctx);
  await stepUntilDone(ctx, drbd, 'stop', 'still up', (state) => (!state.up ? undefined : deriveFacts(state).primary ? 'secondary' : 'down'));
  await Promise.all([maybeOutdateSelf(ctx, drbd), deletePromotionScore(ctx.exec, ctx.log)]);
  return OcfExit.SUCCESS;
}

export async function monitor(ctx: Ctx): Promise<OcfExitCode> {
  const drbd = drbdOf(ctx);
  const state = await drbd.state();
  // A probe that finds the resource stopped leaves the score alone (it may be a node that never ran it).
  if (state.up || !ctx.isProbe) await updateScore(ctx, drbd, state);
  return monitorCode(state);
}

export async function promote(ctx: Ctx): Promise<OcfExitCode> {
  const drbd = drbdOf(ctx);
  let state = await drbd.state();
  if (!state.up) throw OcfError.generic(`cannot promote DRBD resource \`${drbd.resource}\`: it is not started`);
  for (;;) {
    if (deriveFacts(state).primary) return OcfExit.SUCCESS;
    // The kernel itself may wait a ping timeout before refusing; keep time for the exit reason.
    const result = await drbd.adm(['primary', drbd.resource], Math.max(1000, budget(ctx)));
    if (result.ok) {
      ctx.log.info('promoted');
      return OcfExit.SUCCESS;
    }
    if (result.exitCode === DRBD_RC.NO_UP_TO_DATE_DATA) {
      throw OcfError.generic(`refusing to be promoted to Primary without access to UpToDate data (${failure(result)})`);
    }
    state = await drbd.state();
    if (!state.up) throw OcfError.generic(`DRBD resource \`${drbd.resource}\` went down during promote`);
    const peerPrimary = deriveFacts(state).somePeerPrimary;
    if (result.exitCode === DRBD_RC.STATE_CHANGE_REFUSED && peerPrimary && ctx.params.fail_promote_early_if_peer_primary) {
      const promoted = await promotedPerPacemaker(ctx);
      if (promoted !== undefined && promoted.length === 0) {
        await deletePromotionScore(ctx.exec, ctx.log);
        throw OcfError.generic('peer node already/still Primary (unknown to Pacemaker)');
      }
    }
    if (budget(ctx) <= 0) {
      const why = peerPrimary ? 'peer still Primary' : 'promotion refused';
      throw OcfError.generic(`${why}: ${failure(result)}`);
    }
    ctx.log.info('promotion refused, retrying after the next state change', { reason: failure(result) });
    await drbd.waitForChange(Math.min(RETRY_WAIT_MS, budget(ctx)));
    state = await drbd.state();
    if (!state.up) throw OcfError.generic(`DRBD resource \`${drbd.resource}\` went down during promote`);
  }
}

export async function demote(ctx: Ctx): Promise<OcfExitCode> {
  const drbd = drbdOf(ctx);
  // Demote of a stopped resource is done: nothing is Primary here.
  await stepUntilDone(ctx, drbd, 'demote', 'still Primary', (state) => (state.up && deriveFacts(state).primary ? 'secondary' : undefined));
  return OcfExit.SUCCESS;
}

/**
 * Runs the drbdadm step `next` names for the current state until it names none; a refused step (the device
 * still open, say) is retried after the next state change, until the deadline.
 */
async function stepUntilDone(
  ctx: Ctx,
  drbd: Drbd,
  verb: string,
  still: string,
  next: (state: DrbdState) => 'secondary' | 'down' | undefined,
): Promise<void> {
  let lastFailure = '';
  let state = await drbd.state();
  for (;;) {
    const step = next(state);
    if (!step) return;
    if (budget(ctx) <= 0) throw OcfError.generic(`cannot ${verb} DRBD resource \`${drbd.resource}\`: ${lastFailure || still}`);
    const result = await drbd.adm([step, drbd.resource]);
    if (result.ok) {
      // drbdadm succeeds only once the kernel has made the change: no need to read it back
      state = afterStep(state, step);
      continue;
    }
    lastFailure = failure(result);
    ctx.log.info(`drbdadm ${step} refused, waiting for a state change`, { reason: lastFailure });
    await drbd.waitForChange(Math.min(RETRY_WAIT_MS, budget(ctx)));
    state = await drbd.state();
  }
}

/** The state after a successful `drbdadm secondary` or `down`. */
function afterStep(state: DrbdState, step: 'secondary' | 'down'): DrbdState {
  if (step === 'down' || !state.up) return DOWN;
  return { ...state, resource: { ...state.resource, role: 'Secondary' } };
}

/** Always 0: Pacemaker ignores notify failures anyway, and a failing notify must not block a failover. */
export async function notify(ctx: Ctx): Promise<OcfExitCode> {
  const { type, operation } = ctx.meta.notifyData;
  // Only a peer's start and the outcome of an operation concern us; the other pre-notifications are free.
  if (type === 'pre' && operation !== 'start') return OcfExit.SUCCESS;
  try {
    const drbd = drbdOf(ctx);
    let state = await drbd.state();
    if (!state.up) return OcfExit.SUCCESS;
    if (operation === 'start') {
      // A peer (re)starts: make sure our side of the connection is configured.
      const adjust = await drbd.adm(['adjust', drbd.resource]);
      if (!adjust.ok) ctx.log.warn('drbdadm adjust failed', { reason: failure(adjust) });
    }
    if (type === 'post') {
      if (operation === 'start') state = await drbd.state(); // adjust may have changed it
      const facts = state.up ? deriveFacts(state) : undefined;
      // independent: the score is decided on the state read above either way
      await Promise.all([updateScore(ctx, drbd, state), facts?.anyPeerDiskUnknown && !facts.primary ? maybeOutdateSelf(ctx, drbd) : undefined]);
    }
  } catch (error) {
    ctx.log.warn('notify failed', { type, operation, reason: errorMessage(error) });
  }
  return OcfExit.SUCCESS;
}

export async function reload(ctx: Ctx): Promise<OcfExitCode> {
  const drbd = drbdOf(ctx);
  const state = await drbd.state();
  if (!state.up) return OcfExit.SUCCESS;
  const adjust = await drbd.adm(['adjust', drbd.resource]);
  if (!adjust.ok) throw OcfError.generic(`cannot adjust DRBD resource \`${drbd.resource}\`: ${failure(adjust)}`);
  await updateScore(ctx, drbd, await drbd.state());
  return OcfExit.SUCCESS;
}

/**
 * validate-all and the check before start, promote and reload, once the pipeline has found drbd-utils: the
 * configuration file, the resource in it (as drbdadm reads it), and the clone meta attributes Pacemaker passed.
 * Writes nothing on success, as pcs turns any output into a warning.
 */
export async function validate(ctx: Ctx): Promise<void> {
  const conf = ctx.params.drbdconf;
  try {
    await access(conf, constants.R_OK);
  } catch {
    throw OcfError.installed(`configuration file ${conf} does not exist or is not readable`);
  }
  const drbd = drbdOf(ctx);
  // the handler's first question, asked while drbdadm reads the configuration
  if (ctx.action === 'start' || ctx.action === 'promote' || ctx.action === 'reload') drbd.prefetchKernel();
  const dev = await drbd.adm(['sh-dev', drbd.resource]);
  // a hung drbdadm says nothing of the configuration: 1, not the 5 that would ban the resource from this node
  if (dev.timedOut) throw OcfError.generic(`cannot read the configuration of DRBD resource \`${drbd.resource}\`: ${failure(dev)}`);
  if (!dev.ok) {
    throw OcfError.installed(`DRBD resource \`${drbd.resource}\` not found in ${conf}: ${failure(dev)}`);
  }

  const needKernel = ctx.meta.given.has('clone_max') && ctx.meta.cloneMax > 2;
  const kernel = needKernel ? await drbd.kernel() : undefined;
  const problems = metaProblems(ctx.meta, { kernel, ignoreMissingNotifications: ctx.params.ignore_missing_notifications });
  if (problems.length > 0) throw OcfError.configured(problems.join('; '));
  const dualPrimary = (ctx.meta.given.has('promoted_max') || ctx.meta.given.has('master_max')) && ctx.meta.promotedMax === 2;
  if (dualPrimary && (ctx.action === 'start' || ctx.action === 'promote')) {
    const dump = await drbd.adm(['dump', drbd.resource]);
    if (!/allow-two-primaries(\s+yes)?\s*;/.test(dump.stdout)) {
      throw OcfError.configured(`promoted-max is 2, but DRBD resource \`${drbd.resource}\` does not allow-two-primaries`);
    }
  }
  if (ctx.action === 'validate-all' && ctx.checkLevel >= 10) await checkModuleVersion(ctx, drbd);
}
