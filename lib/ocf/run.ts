// SPDX-License-Identifier: GPL-2.0-or-later
// The fixed pipeline every agent runs through (after resource-agents' ocf-rarun): action, meta-data, parameters,
// programs, validation, handler, exit code. Its io comes as arguments (agents' main.ts pass the process's).
import os from 'node:os';
import type { ActionContext, ActionSpec, AnyAgent, ProgramNeed } from './agent.js';
import { findProgram } from '../binaries.js';
import { lockInstance, lockInstanceIfFree, stateDir, stateFileName } from '../state.js';
import { OcfExit, type OcfExitCode } from './exit-codes.js';
import { OcfError, errorMessage, isOcfError } from './errors.js';
import { exitReasonPrefix, formatExitReason } from './exit-reason.js';
import { checkLevel, resourceInstance, withSystemPath } from './env.js';
import { parseMeta } from './meta.js';
import { renderMetadata, usageText } from './metadata.js';
import { parseParams } from './params.js';
import { invalidEnvironmentOutcome, isEnvironmentCode, type InvalidEnvironmentOutcome } from './policy.js';
import { createDeadline } from '../deadline.js';
import { createExec } from '../exec.js';
import { createLogger, writeAll, type Logger } from '../log.js';
import { CONFIRM_BUSY, CONFIRM_ENV, watchAfterAction, watchBeforeAction } from '../watch/lifecycle.js';

export type AgentIo = {
  readonly argv: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
  /** When the operation began, for the deadline (defaults to now). */
  readonly startedAt?: number;
  /** Where log lines go (fd 2 unless a test says otherwise). */
  readonly logFd?: number;
};

// Actions before which the agent's validate() runs; stop, monitor, demote and notify must work with what is there.
const VALIDATED_BEFORE = new Set(['start', 'promote', 'reload', 'migrate_to', 'migrate_from']);

/**
 * An agent's main: runs the action of the command line with the process's environment and sets the exit code.
 * Output goes straight to fds 1 and 2: process.stdout and process.stderr would each load Node's streams first,
 * a tenth of a quiet monitor's start-up. Pacemaker's timeout runs from the fork, so the deadline counts node's
 * start-up too (process.uptime(); performance.timeOrigin would load perf_hooks).
 */
export function runMain(agent: AnyAgent): void {
  const io: AgentIo = {
    argv: process.argv.slice(2),
    env: process.env,
    stdout: { write: (text: string) => writeAll(1, text) },
    stderr: { write: (text: string) => writeAll(2, text) },
    startedAt: Date.now() - process.uptime() * 1000,
  };
  void runAgent(agent, io).then((code) => {
    process.exitCode = code;
  });
}

export async function runAgent(agent: AnyAgent, io: AgentIo): Promise<OcfExitCode> {
  const rawAction = io.argv[0];
  if (!rawAction) {
    io.stderr.write(usageText(agent));
    io.stderr.write(formatExitReason('no action given', exitReasonPrefix(io.env)));
    return OcfExit.ERR_ARGS;
  }
  if (rawAction === 'meta-data') {
    io.stdout.write(renderMetadata(agent));
    return OcfExit.SUCCESS;
  }
  if (rawAction === 'usage' || rawAction === 'help' || rawAction === 'methods') {
    io.stdout.write(usageText(agent));
    return OcfExit.SUCCESS;
  }
  const action = rawAction === 'status' ? 'monitor' : rawAction;
  const spec = (agent.actions as Record<string, ActionSpec<never> | undefined>)[action];
  const reason = (text: string): void => {
    io.stderr.write(formatExitReason(text, exitReasonPrefix(io.env)));
  };
  if (!spec && action !== 'validate-all') {
    reason(`\`${rawAction}\`: action not supported by ${agent.name}`);
    return OcfExit.ERR_UNIMPLEMENTED;
  }

  io.env.PATH = withSystemPath(io.env.PATH);
  const meta = parseMeta(io.env);
  const instance = resourceInstance(io.env, agent.name);
  const log = createLogger({ agent: agent.name, instance, action, env: io.env, ...(io.logFd === undefined ? {} : { fd: io.logFd }) });
  const deadline = createDeadline(meta.timeout, io.startedAt ?? Date.now());
  const isProbe = action === 'monitor' && meta.interval === 0;
  const parsed = parseParams(agent.params, io.env);
  const base = {
    agent: agent.name,
    action,
    instance,
    node: meta.onNode ?? os.hostname(),
    params: (parsed.ok ? parsed.value : parsed.partial) as never,
    config: undefined as never,
    meta,
    isProbe,
    checkLevel: checkLevel(io.env),
    env: io.env,
    deadline,
    log,
    exec: createExec(deadline, log),
  };
  let ctx: ActionContext<never, never> = base;

  // Phase 1: is the environment valid for this action? Parameters that do not parse describe no resource, so a
  // stop of them succeeds whatever the agent's stop policy.
  try {
    if (!parsed.ok) throw OcfError.configured(parsed.issues.map((issue) => issue.message).join('; '));
    if (agent.configure) ctx = { ...base, config: agent.configure(parsed.value) as never };
  } catch (error) {
    const failure = asOcfError(error, log);
    return answer(failure, invalidEnvironmentOutcome(action, isProbe, failure.code));
  }
  try {
    await requirePrograms(agent.programs ?? [], ctx);
    if (action === 'validate-all' || VALIDATED_BEFORE.has(action)) await agent.validate?.(ctx);
  } catch (error) {
    const failure = asOcfError(error, log);
    return answer(failure, invalidEnvironmentOutcome(action, isProbe, failure.code, agent.stopWhenBroken));
  }
  if (!spec) return OcfExit.SUCCESS; // validate-all without a handler of its own

  // Phase 2: the action itself. A monitor or a stop that finds the environment wrong answers as the policy says:
  // a probe "not running" (5 or 6 would ban the node or stop the resource everywhere), a recurring monitor a
  // plain failure (6 would be fatal), a stop what the agent declared.
  let release: (() => Promise<void>) | undefined;
  await watchBeforeAction(agent, ctx); // lib/watch: a stop ends its event watch before touching anything
  try {
    const lockName = stateFileName(agent.name, instance);
    if (io.env[CONFIRM_ENV]) {
      // the event watch's check gives way to the resource's own actions: it is asked again after them
      release = lockInstanceIfFree(stateDir(io.env), lockName);
      if (!release) return CONFIRM_BUSY as OcfExitCode;
    } else release = await lockInstance(stateDir(io.env), lockName, deadline);
    // again under the lock: a start or monitor that held it while this stop waited may have registered since
    await watchBeforeAction(agent, ctx);
    const code = await spec.handler(ctx);
    await watchAfterAction(agent, ctx, code);
    return code;
  } catch (error) {
    if (release) await watchAfterAction(agent, ctx, undefined);
    const failure = asOcfError(error, log);
    if (action === 'notify') {
      // a notification not handled (its lock held past the deadline, say) is no failure of the resource: a 1
      // here would have Pacemaker recover the resource for a lost message, which the next monitor makes up for
      log.warn('notification not handled', { reason: failure.reason });
      return OcfExit.SUCCESS;
    }
    const policed = (action === 'monitor' || action === 'stop') && isEnvironmentCode(failure.code);
    return answer(failure, policed ? invalidEnvironmentOutcome(action, isProbe, failure.code, agent.stopWhenBroken) : { code: failure.code, report: true });
  } finally {
    await release?.().catch(() => undefined);
  }

  /** Reports the failure as the exit reason, or only logs it where the outcome hides it (a stop, a probe). */
  function answer(failure: OcfError, outcome: InvalidEnvironmentOutcome): OcfExitCode {
    if (outcome.report) reason(failure.reason);
    else log.info(`invalid environment, ${action} returns ${outcome.code}`, { reason: failure.reason });
    return outcome.code;
  }
}

/** The declared programs this action (or validate-all at this check level) needs, each looked up once on PATH. */
async function requirePrograms(needs: readonly ProgramNeed<never, never>[], ctx: ActionContext<never, never>): Promise<void> {
  for (const need of needs) {
    const wanted =
      ctx.action === 'validate-all' ? ctx.checkLevel >= (need.validateLevel ?? 10) : (need.actions as readonly string[]).includes(ctx.action);
    if (!wanted || (need.when && !need.when(ctx.params, ctx.config))) continue;
    if (!(await findProgram(need.name, ctx.env))) throw OcfError.installed(`\`${need.name}\` is not installed (${need.provider})`);
  }
}

/** An unexpected throw is a generic error; its stack goes to the debug log, never to the exit reason. */
function asOcfError(error: unknown, log: Logger): OcfError {
  if (isOcfError(error)) return error;
  const message = errorMessage(error);
  log.debug('unexpected error', { stack: error instanceof Error ? error.stack : undefined });
  return OcfError.generic(`unexpected error: ${message}`, error);
}
