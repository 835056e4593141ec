// SPDX-License-Identifier: GPL-2.0-or-later
// The lab's programmatic API, for tests, the demo and the benchmarks.
export {
  boot,
  clusterStatus,
  crash,
  cut,
  execArgv,
  fenceHistory,
  heal,
  isOn,
  labDown,
  labExec,
  labOfNode,
  labStatus,
  labUp,
  loadLab,
  logTails,
  nodeInit,
  waitOnline,
  type DownReport,
  type ExecOptions,
  type LabExtension,
  type LabHandle,
  type LabRef,
  type LabStatus,
  type LabUpOptions,
  type NodeState,
} from './lab.js';
export { CLIENT_IP, CLUSTER_IP, LAB_ROOT, labPlan, type LabNode, type LabPlan, type Nic } from './plan.js';
export type { NodeCustomization } from './render.js';
export type { CrmResource, CrmStatus, FenceEvent } from './crm.js';
