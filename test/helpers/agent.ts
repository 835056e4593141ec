// SPDX-License-Identifier: GPL-2.0-or-later
// Runs an installed agent as Pacemaker does; the benchmarks use it too, so it lives in scripts/harness.
export { OCF_DIR, parseReasons, spawnAgent, type AgentRun, type AgentRunOptions } from '../../scripts/harness/agent.js';
