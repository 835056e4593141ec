// SPDX-License-Identifier: GPL-2.0-or-later
// The event watch's lifecycle, owned by the actions (lib/ocf/run.ts calls these around every handler): start
// registers the resource and makes sure the daemon runs, stop removes the registration before anything else,
// a failed start leaves none, a recurring monitor brings back a registration or a daemon that is gone. Nothing
// here ever changes an action's outcome: a watch that cannot be set up is logged and the action goes on.
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ActionContext, AnyAgent } from '../ocf/agent.js';
import { spawnDetached } from '../exec.js';
import { errorMessage } from '../ocf/errors.js';
import type { Interest } from './interest.js';
import { removeState } from '../state.js';
import {
  PID_FILE,
  listRegistrations,
  liveDaemon,
  readRegistration,
  registrationName,
  removeRegistration,
  resourceOf,
  savedEnv,
  watchDir,
  writeRegistration,
} from './registry.js';

/** Set in the environment of the monitors the daemon runs to confirm an event: they leave the watch alone. */
export const CONFIRM_ENV = 'TSHA_WATCH_CONFIRM';
/** The exit code of such a monitor when an action of its resource holds the lock (sysexits' EX_TEMPFAIL). */
export const CONFIRM_BUSY = 75;

type Ctx = ActionContext<never, never>;

/** What this resource asks to be watched for, or undefined (the agent watches nothing, or event_watch=false). */
function interestOf(agent: AnyAgent, ctx: Ctx): Interest | undefined {
  if (!agent.watch || (ctx.params as { event_watch?: boolean }).event_watch === false) return undefined;
  return agent.watch(ctx) ?? undefined;
}

/**
 * The daemon's entry: beside this module in dist/, or, in the bundle, where this code is part of
 * <root>/agents/<Agent>/main.js, at <root>/lib/watch/daemon-main.js. Not from process.argv[1]: that is the
 * installed shim, which requires the bundle from elsewhere.
 */
export function daemonPath(moduleFile: string = fileURLToPath(import.meta.url)): string {
  const dir = path.dirname(moduleFile);
  const sibling = path.join(dir, 'daemon-main.js');
  return existsSync(sibling) ? sibling : path.resolve(dir, '../../lib/watch/daemon-main.js');
}

/** Starts the daemon unless one runs; true when it had to. Never throws. */
async function ensureDaemon(ctx: Ctx, dir: string): Promise<boolean> {
  if ((await liveDaemon(dir)) !== undefined) return false;
  const entry = daemonPath();
  if (!existsSync(entry)) {
    ctx.log.warn('event watch: daemon entry not found; only the monitor detects failures', { entry });
    return false;
  }
  const pid = await spawnDetached(process.execPath, [entry]);
  ctx.log.debug('event watch: daemon started', { pid });
  return true;
}

async function register(agent: AnyAgent, ctx: Ctx, interest: Interest, dir: string): Promise<void> {
  await writeRegistration(dir, {
    agent: agent.name,
    instance: ctx.instance,
    resource: resourceOf(ctx.instance),
    node: ctx.node,
    generation: `${Date.now().toString(36)}-${process.pid}-${Math.random().toString(36).slice(2, 10)}`,
    interest,
    env: savedEnv(ctx.env),
    ...(ctx.action === 'monitor' ? { monitorTimeoutMs: ctx.meta.timeout } : {}),
  });
}

// How long the end of the last watch waits for the daemon to exit, and how often it looks.
const DAEMON_EXIT_WAIT_MS = 1000;
const DAEMON_EXIT_POLL_MS = 10;

/**
 * Removes this instance's registration; when it was the last, ends the daemon at once (rather than when it
 * notices) and removes the watch folder, so that the stop leaves nothing behind.
 */
async function unregister(agent: AnyAgent, ctx: Ctx, dir: string): Promise<void> {
  await removeRegistration(dir, agent.name, ctx.instance);
  if ((await listRegistrations(dir)).length > 0) return;
  const pid = await liveDaemon(dir);
  if (pid !== undefined) {
    process.kill(pid, 'SIGTERM');
    const until = Date.now() + Math.min(DAEMON_EXIT_WAIT_MS, ctx.deadline.remaining());
    while ((await liveDaemon(dir)) === pid && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, DAEMON_EXIT_POLL_MS));
  }
  // a start of another resource may have registered meanwhile: it keeps (or gets) its daemon
  if ((await listRegistrations(dir)).length > 0) {
    await ensureDaemon(ctx, dir);
    return;
  }
  await removeState(dir, PID_FILE);
  await fs.rmdir(dir).catch(() => undefined); // not empty: someone's file we leave alone
}

/** Before the handler: a stop ends the watch of its resource first, so that nothing it does is reported. */
export async function watchBeforeAction(agent: AnyAgent, ctx: Ctx): Promise<void> {
  if (!agent.watch || ctx.action !== 'stop') return;
  await unregister(agent, ctx, watchDir(ctx.env)).catch((error: unknown) => {
    ctx.log.warn('event watch: could not remove the registration', { error: errorMessage(error) });
  });
}

/** After the handler, with its exit code (undefined when it threw). */
export async function watchAfterAction(agent: AnyAgent, ctx: Ctx, code: number | undefined): Promise<void> {
  if (!agent.watch || ctx.env[CONFIRM_ENV]) return;
  const dir = watchDir(ctx.env);
  try {
    if (ctx.action === 'start') {
      const interest = code === 0 ? interestOf(agent, ctx) : undefined;
      if (!interest) {
        // a failed start, or the watch turned off: no registration may stay
        await unregister(agent, ctx, dir);
        return;
      }
      await register(agent, ctx, interest, dir);
      await ensureDaemon(ctx, dir);
      return;
    }
    if (ctx.action !== 'monitor' || ctx.isProbe || (code !== 0 && code !== 8)) return;
    const interest = interestOf(agent, ctx);
    if (!interest) {
      await unregister(agent, ctx, dir);
      return;
    }
    if (!(await readRegistration(dir, registrationName(agent.name, ctx.instance)))) {
      await register(agent, ctx, interest, dir);
      ctx.log.warn('event watch: the registration of this resource was missing; registered it again');
    }
    if (await ensureDaemon(ctx, dir)) ctx.log.warn('event watch: the daemon was not running; started it again');
  } catch (error) {
    ctx.log.warn('event watch: could not set up the watch; only the monitor detects failures', { error: errorMessage(error) });
  }
}
