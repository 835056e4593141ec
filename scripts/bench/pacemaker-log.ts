// SPDX-License-Identifier: GPL-2.0-or-later
// Pacemaker 2.1's own log (/var/log/pacemaker/pacemaker.log, one per lab node) read as a recovery timeline: when
// a node was declared lost, when fencing was scheduled, requested and done, and each resource action's request,
// result and execution time. Pure: text in, data out, so that the recovery benchmark's arithmetic is tested alone.

/** One timestamped line of pacemaker.log that the timeline uses; `at` is epoch ms. */
export type LogEvent =
  | { kind: 'lost'; at: number; node: string }
  | { kind: 'fence-scheduled'; at: number; node: string }
  | { kind: 'fence-requested'; at: number; node: string }
  | { kind: 'fence-done'; at: number; node: string }
  | { kind: 'standby'; at: number; nodeId: number }
  | { kind: 'request'; at: number; on: string; op: string; rsc: string; key: string }
  | { kind: 'result'; at: number; on: string; op: string; rsc: string; key: string; outcome: string; call: number }
  | { kind: 'finished'; at: number; on: string; rsc: string; op: string; call: number; execMs: number };

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

// `Dec 04 01:13:31.042 sc1 pacemaker-controld  [61] (fn) \tnotice: text`: local time, no year
const LINE = /^(\w{3}) (\d{2}) (\d{2}):(\d{2}):(\d{2})\.(\d{3}) (\S+) (pacemaker-\w+)\s*\[\d+\] \((\w+)\)\s+\w+: (.*)$/;

/** Pacemaker's "execution time" as logged by execd: `707ms`, `1.234s`. */
export function parseDuration(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(ms|s)$/.exec(text);
  if (!m) return undefined;
  return m[2] === 's' ? Math.round(Number(m[1]) * 1000) : Number(m[1]);
}

/** The event a line stands for, undefined for the many lines the timeline does not need. */
export function parseLine(line: string, year: number): LogEvent | undefined {
  const m = LINE.exec(line);
  if (!m) return undefined;
  const [, mon, day, hh, mm, ss, ms, host, daemon, fn, text] = m as unknown as string[];
  const month = MONTHS.indexOf(mon!);
  if (month < 0) return undefined;
  // the daemons log in the machine's local time, as new Date(...) reads it
  const at = new Date(year, month, Number(day), Number(hh), Number(mm), Number(ss), Number(ms)).getTime();
  let x: RegExpExecArray | null;
  if (fn === 'update_peer_state_iter' && (x = /^Node (\S+) state is now lost\b/.exec(text!))) return { kind: 'lost', at, node: x[1]! };
  if (daemon === 'pacemaker-schedulerd' && fn === 'pe_fence_node' && (x = /^Cluster node (\S+) will be fenced/.exec(text!))) {
    return { kind: 'fence-scheduled', at, node: x[1]! };
  }
  if (daemon === 'pacemaker-fenced' && fn === 'handle_fence_request' && (x = /wants to fence \(\w+\) (\S+)/.exec(text!))) {
    return { kind: 'fence-requested', at, node: x[1]! };
  }
  if (daemon === 'pacemaker-controld' && fn === 'handle_fence_notification' && (x = /^Peer (\S+) was terminated \(\w+\) by .*: OK\b/.exec(text!))) {
    return { kind: 'fence-done', at, node: x[1]! };
  }
  // a node's first standby creates its whole instance_attributes set (`instance_attributes.nodes-1 'create'`),
  // later ones the nvpair alone (`nodes-1-standby doing create standby=on`): unstandby deletes just the nvpair
  if (daemon === 'pacemaker-controld' && fn === 'abort_transition_graph' &&
    (x = /aborted by (?:nodes-(\d+)-standby doing (?:create|modify) standby=on\b|instance_attributes\.nodes-(\d+) 'create')/.exec(text!))) {
    return { kind: 'standby', at, nodeId: Number(x[1] ?? x[2]) };
  }
  if (daemon === 'pacemaker-controld' && fn === 'do_lrm_rsc_op' && (x = /^Requesting local execution of (\w+) operation for (\S+) on (\S+) \|.* op_key=(\S+)/.exec(text!))) {
    return { kind: 'request', at, op: x[1]!, rsc: x[2]!, on: x[3]!, key: x[4]! };
  }
  if (daemon === 'pacemaker-controld' && fn === 'log_executor_event' && (x = /^Result of (\w+) operation for (\S+) on (\S+): ([^|]*?) \|.* call=(\d+) key=(\S+)/.exec(text!))) {
    return { kind: 'result', at, op: x[1]!, rsc: x[2]!, on: x[3]!, outcome: x[4]!, call: Number(x[5]), key: x[6]! };
  }
  if (daemon === 'pacemaker-execd' && fn === 'log_finished' && (x = /^(\S+) (\w+) \(call (\d+), PID \d+\) exited with status \d+ \(execution time (\S+?)(?:\)| after)/.exec(text!))) {
    const execMs = parseDuration(x[4]!);
    if (execMs !== undefined) return { kind: 'finished', at, on: host!, rsc: x[1]!, op: x[2]!, call: Number(x[3]), execMs };
  }
  return undefined;
}

export function parseLog(text: string, year: number): LogEvent[] {
  const events: LogEvent[] = [];
  for (const line of text.split('\n')) {
    const event = parseLine(line, year);
    if (event) events.push(event);
  }
  return events;
}

/** One resource action from its request by the controller to its result; execMs is the agent's own run (execd). */
export type Action = {
  readonly on: string;
  readonly rsc: string;
  readonly op: string;
  readonly key: string;
  readonly requestedAt: number;
  readonly resultAt: number;
  readonly outcome: string;
  readonly execMs: number;
};

/**
 * The one-shot actions (interval 0: start, stop, promote, demote, notify; not recurring monitors) requested at or
 * after `since`, each paired with its result and execd's execution time, in request order. Several logs (one per
 * node) may be merged in: the host part of each line tells them apart.
 */
export function actions(events: readonly LogEvent[], since: number): Action[] {
  const out: Action[] = [];
  const finished = new Map<string, number>();
  for (const e of events) if (e.kind === 'finished') finished.set(`${e.on}/${e.call}`, e.execMs);
  const open: { on: string; rsc: string; op: string; key: string; at: number }[] = [];
  for (const e of events) {
    if (e.kind === 'request' && e.at >= since && e.key.endsWith('_0') && e.op !== 'probe') open.push({ on: e.on, rsc: e.rsc, op: e.op, key: e.key, at: e.at });
    if (e.kind !== 'result') continue;
    const i = open.findIndex((o) => o.on === e.on && o.key === e.key);
    if (i < 0) continue;
    const [req] = open.splice(i, 1);
    out.push({
      on: req!.on,
      rsc: req!.rsc,
      op: req!.op,
      key: req!.key,
      requestedAt: req!.at,
      resultAt: e.at,
      outcome: e.outcome,
      // execd's own figure; without it, the controller's request-to-result time (a little longer)
      execMs: finished.get(`${e.on}/${e.call}`) ?? e.at - req!.at,
    });
  }
  return out.sort((a, b) => a.requestedAt - b.requestedAt);
}

/** A named point of the chain: `took` ms from the previous mark or the action's request to its result, `end` from t0. */
export type Step = { readonly name: string; readonly took: number; readonly end: number };

export type Chain = {
  /** The start of the chain (node lost, or standby seen by the DC), epoch ms. */
  readonly t0: number;
  readonly steps: Step[];
  /** The agents' own execution times summed, for the actions of `agentResources` ending before the client was served. */
  readonly agentsMs: number;
  /** t0 → client served. */
  readonly chainMs: number;
  readonly actions: Action[];
};

function first<K extends LogEvent['kind']>(events: readonly LogEvent[], kind: K, pred: (e: Extract<LogEvent, { kind: K }>) => boolean, since = -Infinity) {
  return events.find((e): e is Extract<LogEvent, { kind: K }> => e.kind === kind && e.at >= since && pred(e as Extract<LogEvent, { kind: K }>));
}

/** Action steps: notifications of a resource summed into one step, every other action a step of its own. */
function actionSteps(list: readonly Action[], t0: number, where: (node: string) => string): Step[] {
  const steps: Step[] = [];
  const notify = new Map<string, { took: number; end: number; count: number }>();
  for (const a of list) {
    if (a.op === 'notify') {
      const name = `${a.rsc} notify${where(a.on)}`;
      const n = notify.get(name) ?? { took: 0, end: 0, count: 0 };
      notify.set(name, { took: n.took + (a.resultAt - a.requestedAt), end: Math.max(n.end, a.resultAt - t0), count: n.count + 1 });
      continue;
    }
    steps.push({ name: `${a.rsc} ${a.op}${where(a.on)}`, took: a.resultAt - a.requestedAt, end: a.resultAt - t0 });
  }
  // the count varies with the transitions Pacemaker needs: the step is their sum
  for (const [name, n] of notify) steps.push({ name: `${name} (sum)`, took: n.took, end: n.end });
  return steps;
}

/** The client served: `took` from the last action result before it. */
function servedStep(list: readonly Action[], t0: number, servedAt: number): Step {
  const last = Math.max(t0, ...list.filter((a) => a.resultAt <= servedAt).map((a) => a.resultAt));
  return { name: 'client served', took: servedAt - last, end: servedAt - t0 };
}

function agentsShare(list: readonly Action[], agentResources: readonly string[], servedAt: number): number {
  return list.filter((a) => agentResources.includes(a.rsc) && a.resultAt <= servedAt).reduce((sum, a) => sum + a.execMs, 0);
}

/**
 * The chain after a crash of `victim`, from the survivor's log: node lost (the first "state is now lost" line),
 * fencing scheduled, requested and done, then every action up to the client served at `servedAt` (epoch ms, the
 * client's clock, which is the same machine's). Undefined when a mark is missing from the log.
 */
export function crashChain(events: readonly LogEvent[], victim: string, crashedAt: number, servedAt: number, agentResources: readonly string[]): Chain | undefined {
  // a little slack: the crash time is taken before the kill, the log's clock is the same machine's
  const lost = first(events, 'lost', (e) => e.node === victim, crashedAt - 50);
  if (!lost) return undefined;
  const t0 = lost.at;
  const scheduled = first(events, 'fence-scheduled', (e) => e.node === victim, t0);
  const requested = first(events, 'fence-requested', (e) => e.node === victim, t0);
  const done = first(events, 'fence-done', (e) => e.node === victim, t0);
  if (!scheduled || !requested || !done) return undefined;
  const list = actions(events, t0);
  const steps: Step[] = [
    { name: 'crash → node lost (corosync)', took: t0 - crashedAt, end: 0 },
    { name: 'node lost → fencing scheduled', took: scheduled.at - t0, end: scheduled.at - t0 },
    { name: 'fencing requested', took: requested.at - scheduled.at, end: requested.at - t0 },
    { name: 'fencing done', took: done.at - requested.at, end: done.at - t0 },
    ...actionSteps(list, t0, () => ''),
    servedStep(list, t0, servedAt),
  ];
  return { t0, steps: steps.sort((a, b) => a.end - b.end), agentsMs: agentsShare(list, agentResources, servedAt), chainMs: servedAt - t0, actions: list };
}

/**
 * The chain after `pcs node standby` of the node with corosync id `nodeId`, from both nodes' logs merged: the DC
 * seeing the standby attribute, then every action on either node up to the client served at `servedAt`.
 */
export function standbyChain(events: readonly LogEvent[], nodeId: number, node: string, standbyAt: number, servedAt: number, agentResources: readonly string[]): Chain | undefined {
  const seen = first(events, 'standby', (e) => e.nodeId === nodeId, standbyAt - 50);
  if (!seen) return undefined;
  const t0 = seen.at;
  const list = actions(events, t0);
  const steps: Step[] = [
    { name: 'pcs node standby → seen by the DC', took: t0 - standbyAt, end: 0 },
    ...actionSteps(list, t0, (on) => (on === node ? ' (old node)' : ' (new node)')),
    servedStep(list, t0, servedAt),
  ];
  return { t0, steps: steps.sort((a, b) => a.end - b.end), agentsMs: agentsShare(list, agentResources, servedAt), chainMs: servedAt - t0, actions: list };
}
