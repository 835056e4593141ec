// SPDX-License-Identifier: GPL-2.0-or-later
// Pacemaker meta attributes (OCF_RESKEY_CRM_meta_*), typed, with Pacemaker's documented defaults for anything
// not passed: pcs runs validate-all with no meta attribute at all, which is how linbit's agent trips on clone-max.
import { parseBoolean, parseInteger } from './params.js';

export type NotifyLists = {
  readonly resource: readonly string[];
  readonly uname: readonly string[];
};

export type Notify = {
  readonly type: 'pre' | 'post' | undefined;
  readonly operation: string | undefined;
  readonly start: NotifyLists;
  readonly stop: NotifyLists;
  readonly promote: NotifyLists;
  readonly demote: NotifyLists;
  readonly active: NotifyLists;
  readonly promoted: NotifyLists;
  readonly unpromoted: NotifyLists;
  readonly inactiveResource: readonly string[];
  readonly availableUname: readonly string[];
  readonly allUname: readonly string[];
};

export type Meta = {
  /** Operation timeout in ms; Pacemaker's default operation timeout (20 s) when absent. */
  readonly timeout: number;
  /** Operation interval in ms; 0 (a one-shot operation) when absent. */
  readonly interval: number;
  readonly name: string | undefined;
  readonly onNode: string | undefined;
  /** This instance's clone number, when run as a clone. */
  readonly clone: number | undefined;
  readonly cloneMax: number;
  readonly cloneNodeMax: number;
  readonly promotedMax: number;
  readonly promotedNodeMax: number;
  readonly notify: boolean;
  readonly globallyUnique: boolean;
  readonly promotable: boolean;
  /** True when Pacemaker passed clone meta attributes, i.e. the resource runs as a clone. */
  readonly isClone: boolean;
  /** Names (in CRM_meta_ form, e.g. `clone_max`) that Pacemaker actually passed. */
  readonly given: ReadonlySet<string>;
  readonly notifyData: Notify;
};

export const META_DEFAULTS = {
  timeout: 20_000,
  interval: 0,
  cloneMax: 2,
  cloneNodeMax: 1,
  promotedMax: 1,
  promotedNodeMax: 1,
  notify: false,
  globallyUnique: false,
  promotable: false,
} as const;

const PREFIX = 'OCF_RESKEY_CRM_meta_';

function words(value: string | undefined): string[] {
  return value ? value.split(/\s+/).filter(Boolean) : [];
}

/** Durations arrive in ms; a unit suffix (as some tools write) is accepted too. */
export function parseMillis(raw: string | undefined): number | undefined {
  if (raw === undefined || raw.trim() === '') return undefined;
  const match = /^\s*(\d+)\s*(ms|s|m|h)?\s*$/.exec(raw);
  if (!match) return undefined;
  const n = Number(match[1]);
  const unit = match[2] ?? 'ms';
  const factor = unit === 'ms' ? 1 : unit === 's' ? 1000 : unit === 'm' ? 60_000 : 3_600_000;
  const ms = n * factor;
  return Number.isSafeInteger(ms) ? ms : undefined;
}

/** setTimeout fires at once for a longer delay (Node caps it to 1 ms), so an operation timeout is capped here. */
export const MAX_TIMEOUT_MS = 2 ** 31 - 1;

export function parseMeta(env: NodeJS.ProcessEnv): Meta {
  const given = new Set<string>();
  for (const key of Object.keys(env)) {
    if (key.startsWith(PREFIX) && env[key] !== '') given.add(key.slice(PREFIX.length));
  }
  const raw = (name: string): string | undefined => {
    const value = env[PREFIX + name];
    return value === '' ? undefined : value;
  };
  const int = (names: string[], fallback: number): number => {
    for (const name of names) {
      const value = parseInteger(raw(name) ?? '');
      if (value !== undefined) return value;
    }
    return fallback;
  };
  const bool = (name: string, fallback: boolean): boolean => parseBoolean(raw(name) ?? '') ?? fallback;
  const lists = (kind: string, legacy?: string): NotifyLists => {
    const pick = (suffix: string) =>
      words(raw(`notify_${kind}_${suffix}`) ?? (legacy ? raw(`notify_${legacy}_${suffix}`) : undefined));
    return { resource: pick('resource'), uname: pick('uname') };
  };
  const notifyType = raw('notify_type');

  const promotedMax = int(['promoted_max', 'master_max'], META_DEFAULTS.promotedMax);
  return {
    timeout: Math.min(parseMillis(raw('timeout')) ?? META_DEFAULTS.timeout, MAX_TIMEOUT_MS),
    interval: parseMillis(raw('interval')) ?? META_DEFAULTS.interval,
    name: raw('name'),
    onNode: raw('on_node'),
    clone: parseInteger(raw('clone') ?? ''),
    cloneMax: int(['clone_max'], META_DEFAULTS.cloneMax),
    cloneNodeMax: int(['clone_node_max'], META_DEFAULTS.cloneNodeMax),
    promotedMax,
    promotedNodeMax: int(['promoted_node_max', 'master_node_max'], META_DEFAULTS.promotedNodeMax),
    notify: bool('notify', META_DEFAULTS.notify),
    globallyUnique: bool('globally_unique', META_DEFAULTS.globallyUnique),
    promotable: bool('promotable', given.has('promoted_max') || given.has('master_max')),
    isClone: given.has('clone_max'),
    given,
    notifyData: {
      type: notifyType === 'pre' || notifyType === 'post' ? notifyType : undefined,
      operation: raw('notify_operation'),
      start: lists('start'),
      stop: lists('stop'),
      promote: lists('promote'),
      demote: lists('demote'),
      active: lists('active'),
      promoted: lists('promoted', 'master'),
      unpromoted: lists('unpromoted', 'slave'),
      inactiveResource: words(raw('notify_inactive_resource')),
      availableUname: words(raw('notify_available_uname')),
      allUname: words(raw('notify_all_uname')),
    },
  };
}
