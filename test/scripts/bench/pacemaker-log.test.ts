// SPDX-License-Identifier: GPL-2.0-or-later
// The recovery benchmark's reading of pacemaker.log, on lines of a real crash of the seed's active node (Pacemaker
// 2.1.5, lab node sc1 taking over from sc2; the ClusterHttp lines come from a later start in the same log).
import { expect } from 'chai';
import { actions, crashChain, parseDuration, parseLine, parseLog, standbyChain } from '../../../scripts/bench/pacemaker-log.js';

const CRASH = [
  "Dec 04 01:13:30.986 sc1 pacemaker-attrd     [59] (node_left) \tinfo: Group attrd event 2: sc2 (node 2 pid 55) left via cluster exit",
  "Dec 04 01:13:30.990 sc1 pacemaker-attrd     [59] (update_peer_state_iter) \tnotice: Node sc2 state is now lost | nodeid=2 previous=member source=crm_update_peer_proc",
  "Dec 04 01:13:30.990 sc1 pacemaker-controld  [61] (update_peer_state_iter) \tnotice: Node sc2 state is now lost | nodeid=2 previous=member source=pcmk__reap_unseen_nodes",
  "Dec 04 01:13:31.014 sc1 pacemaker-schedulerd[60] (pe_fence_node) \twarning: Cluster node sc2 will be fenced: peer is no longer part of the cluster",
  "Dec 04 01:13:31.042 sc1 pacemaker-controld  [61] (log_executor_event) \tinfo: Result of monitor operation for ClusterDrbd on sc1: Cancelled | graph action confirmed; call=116 key=ClusterDrbd_monitor_31000",
  "Dec 04 01:13:31.042 sc1 pacemaker-controld  [61] (do_lrm_rsc_op) \tnotice: Requesting local execution of notify operation for ClusterDrbd on sc1 | transition_key=56:22:0:59640ae6-2911-43d2-8c9f-e951fd52424e op_key=ClusterDrbd_notify_0",
  "Dec 04 01:13:31.042 sc1 pacemaker-fenced    [57] (handle_fence_request) \tnotice: Client pacemaker-controld.61 wants to fence (off) sc2 using any device",
  "Dec 04 01:13:31.174 sc1 pacemaker-execd     [58] (log_finished) \tinfo: ClusterDrbd notify (call 123, PID 2555) exited with status 0 (execution time 127ms)",
  "Dec 04 01:13:31.174 sc1 pacemaker-controld  [61] (log_executor_event) \tnotice: Result of notify operation for ClusterDrbd on sc1: ok | graph action confirmed; call=123 key=ClusterDrbd_notify_0 rc=0",
  "Dec 04 01:13:31.362 sc1 pacemaker-controld  [61] (handle_fence_notification) \tnotice: Peer sc2 was terminated (off) by sc1 on behalf of pacemaker-controld.61@sc1: OK | event=3fc633cb-e121-4889-a7ba-2f957dac245d",
  "Dec 04 01:13:31.934 sc1 pacemaker-controld  [61] (do_lrm_rsc_op) \tnotice: Requesting local execution of promote operation for ClusterDrbd on sc1 | transition_key=6:23:0:59640ae6-2911-43d2-8c9f-e951fd52424e op_key=ClusterDrbd_promote_0",
  "Dec 04 01:13:32 drbd(ClusterDrbd)[2624]: INFO: promoted",
  "Dec 04 01:13:32.642 sc1 pacemaker-execd     [58] (log_finished) \tinfo: ClusterDrbd promote (call 126, PID 2624) exited with status 0 (execution time 707ms)",
  "Dec 04 01:13:32.646 sc1 pacemaker-controld  [61] (log_executor_event) \tnotice: Result of promote operation for ClusterDrbd on sc1: ok | CIB update 252, graph action confirmed; call=126 key=ClusterDrbd_promote_0 rc=0",
  "Dec 04 01:13:33.386 sc1 pacemaker-controld  [61] (do_lrm_rsc_op) \tnotice: Requesting local execution of start operation for ClusterFs on sc1 | transition_key=33:24:0:59640ae6-2911-43d2-8c9f-e951fd52424e op_key=ClusterFs_start_0",
  "Dec 04 01:13:33.778 sc1 pacemaker-execd     [58] (log_finished) \tinfo: ClusterFs start (call 129, PID 2743) exited with status 0 (execution time 390ms)",
  "Dec 04 01:13:33.778 sc1 pacemaker-controld  [61] (log_executor_event) \tnotice: Result of start operation for ClusterFs on sc1: ok | CIB update 257, graph action confirmed; call=129 key=ClusterFs_start_0 rc=0",
  "Dec 04 01:13:33.782 sc1 pacemaker-controld  [61] (do_lrm_rsc_op) \tnotice: Requesting local execution of monitor operation for ClusterFs on sc1 | transition_key=34:24:0:59640ae6-2911-43d2-8c9f-e951fd52424e op_key=ClusterFs_monitor_20000",
  "Dec 04 01:13:34.000 sc1 pacemaker-controld  [61] (do_lrm_rsc_op) \tnotice: Requesting local execution of start operation for ClusterHttp on sc1 | transition_key=40:24:0:59640ae6-2911-43d2-8c9f-e951fd52424e op_key=ClusterHttp_start_0",
  "Dec 04 01:13:35.060 sc1 pacemaker-execd     [58] (log_finished) \tinfo: ClusterHttp start (call 131, PID 2760) exited with status 0 (execution time 1.054s after being queued 1ms)",
  "Dec 04 01:13:35.062 sc1 pacemaker-controld  [61] (log_executor_event) \tnotice: Result of start operation for ClusterHttp on sc1: ok | CIB update 259, graph action confirmed; call=131 key=ClusterHttp_start_0 rc=0",
].join('\n');

const YEAR = 2026;
const at = (time: string) => {
  const [h, m, s] = time.split(':').map(Number) as [number, number, number];
  return new Date(YEAR, 11, 4, h, m, Math.floor(s), Math.round((s % 1) * 1000)).getTime();
};
const AGENTS = ['ClusterDrbd', 'ClusterFs', 'ClusterIP', 'ClusterMailTo'];

describe('pacemaker.log as a recovery timeline', () => {
  it('reads execd\'s execution times in ms and in s', () => {
    expect(parseDuration('707ms')).to.equal(707);
    expect(parseDuration('1.054s')).to.equal(1054);
    expect(parseDuration('soon')).to.equal(undefined);
  });

  it('reads the node lost, fencing and action lines, with the local time of the line', () => {
    const events = parseLog(CRASH, YEAR);
    expect(events[0]).to.deep.equal({ kind: 'lost', at: at('01:13:30.990'), node: 'sc2' });
    expect(events.map((e) => e.kind)).to.include.members(['fence-scheduled', 'fence-requested', 'fence-done', 'request', 'result', 'finished']);
    expect(events.find((e) => e.kind === 'finished' && e.rsc === 'ClusterHttp')).to.include({ execMs: 1054, call: 131, on: 'sc1' });
    // the agent's own line (no ms, no daemon) and lines the timeline does not use give nothing
    expect(parseLine('Dec 04 01:13:32 drbd(ClusterDrbd)[2624]: INFO: promoted', YEAR)).to.equal(undefined);
    expect(parseLine(CRASH.split('\n')[0]!, YEAR)).to.equal(undefined);
  });

  it('reads the DC\'s line for a standby set by pcs, the node\'s first one included, and not for an unstandby', () => {
    const line = "Dec 04 01:15:09.038 sc1 pacemaker-controld  [61] (abort_transition_graph) \tinfo: Transition 59 aborted by nodes-2-standby doing create standby=on: Configuration change | cib=0.25.0 source=te_update_diff_v2:465 path=/cib/configuration/nodes/node[@id='2']/instance_attributes[@id='nodes-2'] complete=true";
    expect(parseLine(line, YEAR)).to.deep.equal({ kind: 'standby', at: at('01:15:09.038'), nodeId: 2 });
    const firstStandby = "Dec 04 01:34:02.038 rb1 pacemaker-controld  [58] (abort_transition_graph) \tinfo: Transition 3 aborted by instance_attributes.nodes-1 'create': Configuration change | cib=0.8.0 source=te_update_diff_v2:465 path=/cib/configuration/nodes/node[@id='1'] complete=true";
    expect(parseLine(firstStandby, YEAR)).to.deep.equal({ kind: 'standby', at: at('01:34:02.038'), nodeId: 1 });
    const unstandby = "Dec 04 01:34:12.738 rb1 pacemaker-controld  [58] (abort_transition_graph) \tinfo: Transition 7 aborted by deletion of nvpair[@id='nodes-1-standby']: Configuration change | cib=0.9.0 source=te_update_diff_v2:465";
    expect(parseLine(unstandby, YEAR)).to.equal(undefined);
  });

  it('pairs each one-shot action with its result and execd\'s time, leaving out recurring monitors', () => {
    const list = actions(parseLog(CRASH, YEAR), 0);
    expect(list.map((a) => `${a.rsc} ${a.op} ${a.execMs}`)).to.deep.equal([
      'ClusterDrbd notify 127',
      'ClusterDrbd promote 707',
      'ClusterFs start 390',
      'ClusterHttp start 1054',
    ]);
    expect(list[1]).to.include({ requestedAt: at('01:13:31.934'), resultAt: at('01:13:32.646'), outcome: 'ok', on: 'sc1' });
  });

  it('splits the crash chain into its steps, from node lost to the client served', () => {
    const served = at('01:13:35.400');
    const chain = crashChain(parseLog(CRASH, YEAR), 'sc2', at('01:13:29.000'), served, AGENTS)!;
    expect(chain.t0).to.equal(at('01:13:30.990'));
    expect(chain.chainMs).to.equal(served - at('01:13:30.990'));
    const step = (name: string) => chain.steps.find((s) => s.name === name);
    expect(step('crash → node lost (corosync)')).to.deep.equal({ name: 'crash → node lost (corosync)', took: 1990, end: 0 });
    expect(step('node lost → fencing scheduled')).to.deep.include({ took: 24, end: 24 });
    expect(step('fencing requested')).to.deep.include({ took: 28, end: 52 });
    expect(step('fencing done')).to.deep.include({ took: 320, end: 372 });
    expect(step('ClusterDrbd promote')).to.deep.include({ took: 712, end: 1656 });
    expect(step('ClusterDrbd notify (sum)')).to.deep.include({ took: 132, end: 184 });
    expect(step('client served')).to.deep.include({ took: 338, end: served - chain.t0 });
    // the four agents' own times; ClusterHttp (ocf:heartbeat:anything in both sets) is not counted
    expect(chain.agentsMs).to.equal(127 + 707 + 390);
    expect(chain.steps.map((s) => s.end)).to.deep.equal([...chain.steps.map((s) => s.end)].sort((a, b) => a - b));
  });

  it('leaves out actions that end after the client was served from the agents\' share', () => {
    const chain = crashChain(parseLog(CRASH, YEAR), 'sc2', at('01:13:29.000'), at('01:13:33.000'), AGENTS)!;
    expect(chain.agentsMs).to.equal(127 + 707);
  });

  it('gives no chain when the log lacks a mark (another node lost, or a crash before the window)', () => {
    const events = parseLog(CRASH, YEAR);
    expect(crashChain(events, 'sc3', at('01:13:29.000'), at('01:13:35.400'), AGENTS)).to.equal(undefined);
    expect(crashChain(events, 'sc2', at('01:13:40.000'), at('01:13:45.000'), AGENTS)).to.equal(undefined);
    expect(standbyChain(events, 2, 'sc2', at('01:13:29.000'), at('01:13:35.400'), AGENTS)).to.equal(undefined);
  });
});
