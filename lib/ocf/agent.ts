// SPDX-License-Identifier: GPL-2.0-or-later
import type { OcfExitCode } from './exit-codes.js';
import type { StopWhenBroken } from './policy.js';
import type { Meta } from './meta.js';
import type { Params, ParamSpecs } from './params.js';
import type { Deadline } from '../deadline.js';
import type { Exec } from '../exec.js';
import type { Logger } from '../log.js';
import type { Interest } from '../watch/interest.js';

/** Durations as meta-data writes them: every action timeout and interval carries a unit (resource-agents CI rule). */
export type Duration = `${number}s` | `${number}m` | `${number}h`;

/** Actions an agent may implement; names limited to what ra-api-1.dtd (and so ocf-tester) accepts. */
export type HandledAction =
  | 'start'
  | 'stop'
  | 'monitor'
  | 'promote'
  | 'demote'
  | 'notify'
  | 'reload'
  | 'migrate_to'
  | 'migrate_from'
  | 'validate-all';

export type ActionContext<S extends ParamSpecs, C = undefined> = {
  readonly agent: string;
  readonly action: string;
  /** OCF_RESOURCE_INSTANCE, e.g. `ClusterDrbd:0` for a globally-unique clone. */
  readonly instance: string;
  /** The node this runs on, by Pacemaker's name for it (CRM_meta_on_node), else the host name. */
  readonly node: string;
  readonly params: Params<S>;
  /** What the agent's configure() derived from the parameters (undefined for agents without one). */
  readonly config: C;
  readonly meta: Meta;
  /** A monitor with interval 0 (or none): Pacemaker asking whether the resource is active here. */
  readonly isProbe: boolean;
  /** OCF_CHECK_LEVEL: 0 when absent. */
  readonly checkLevel: number;
  readonly env: NodeJS.ProcessEnv;
  readonly deadline: Deadline;
  readonly log: Logger;
  readonly exec: Exec;
};

export type Handler<S extends ParamSpecs, C = undefined> = (ctx: ActionContext<S, C>) => Promise<OcfExitCode>;

/** One <action> element of the meta-data. */
export type AdvertisedAction = {
  readonly timeout: Duration;
  readonly interval?: Duration;
  readonly depth?: number;
  readonly role?: 'Promoted' | 'Unpromoted';
  readonly startDelay?: Duration;
};

export type ActionSpec<S extends ParamSpecs, C = undefined> = AdvertisedAction & {
  readonly handler: Handler<S, C>;
  /** Several meta-data entries for one action (per-role monitors need distinct intervals). */
  readonly advertise?: readonly AdvertisedAction[];
};

/** A program an agent runs, checked once by the pipeline before the action (never by the handlers). */
export type ProgramNeed<S extends ParamSpecs, C = undefined> = {
  readonly name: string;
  /** What provides it (a package name), for the exit reason. */
  readonly provider: string;
  /** The actions that cannot do their job without it: they answer OCF_ERR_INSTALLED, under the invalid-environment policy. */
  readonly actions: readonly HandledAction[];
  /**
   * The OCF_CHECK_LEVEL from which validate-all looks for it (default 10): pcs validates at level 0, maybe on a
   * node that will never run the resource, so only a program without which nothing can be said belongs at 0.
   */
  readonly validateLevel?: number;
  /** Whether this configuration needs it at all (default: always). */
  readonly when?: (params: Params<S>, config: C) => boolean;
};

export type AgentSpec<S extends ParamSpecs, C = undefined> = {
  readonly name: string;
  readonly version: string;
  readonly shortdesc: string;
  readonly longdesc: string;
  readonly params: S;
  readonly actions: {
    readonly start: ActionSpec<S, C>;
    readonly stop: ActionSpec<S, C>;
    readonly monitor: ActionSpec<S, C>;
  } & { readonly [A in Exclude<HandledAction, 'start' | 'stop' | 'monitor' | 'validate-all'>]?: ActionSpec<S, C> };
  /**
   * Derives the agent's configuration from its parameters, without looking at the host; throws
   * OcfError.configured. Runs before every action, so what it refuses follows the invalid-environment policy
   * (a stop succeeds, a probe says not running) like a malformed parameter.
   */
  readonly configure?: (params: Params<S>) => C;
  /** Checks beyond the configuration; throws OcfError. Runs for validate-all and before start, promote and reload. */
  readonly validate?: (ctx: ActionContext<S, C>) => Promise<void>;
  readonly validateTimeout?: Duration;
  readonly programs?: readonly ProgramNeed<S, C>[];
  /**
   * What stop answers when the environment is broken (a program it needs is missing, or its handler meets an
   * environment error such as a vanished interface): `stopped` (0) where nothing of the resource can be running
   * then, `failed` (1) where it may still be there and only a fence makes it safe. Default `stopped`, as
   * resource-agents' ocf-rarun. Parameters Pacemaker cannot even parse always give 0 (they describe no resource).
   */
  readonly stopWhenBroken?: StopWhenBroken;
  /**
   * What the event watch (lib/watch) follows for a started resource of this agent, when its `event_watch`
   * parameter is on: a kernel event about it is confirmed with the agent's own monitor and reported at once.
   */
  readonly watch?: (ctx: ActionContext<S, C>) => Interest | undefined;
};

/** Declares an agent; the literal is the single source of its parameters and actions. */
export function defineAgent<const S extends ParamSpecs, C = undefined>(spec: AgentSpec<S, C>): AgentSpec<S, C> {
  return spec;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyAgent = AgentSpec<any, any>;
