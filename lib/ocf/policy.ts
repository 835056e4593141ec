// SPDX-License-Identifier: GPL-2.0-or-later
// What an invalid environment (bad parameters, missing programs, failed validation) means for each action,
// after resource-agents' ocf-rarun handle_invalid_env: a stop must not fail (that means fencing) and a probe
// must not return 5 or 6 (6 on a probe stops the resource everywhere).
import { OcfExit, type OcfExitCode } from './exit-codes.js';

/** The codes that say "this environment is invalid" rather than "the resource failed". */
export function isEnvironmentCode(code: number): boolean {
  return code === OcfExit.ERR_ARGS || code === OcfExit.ERR_PERM || code === OcfExit.ERR_INSTALLED || code === OcfExit.ERR_CONFIGURED;
}

export type InvalidEnvironmentOutcome = {
  readonly code: OcfExitCode;
  /** Whether the failure is reported as an exit reason (otherwise only logged). */
  readonly report: boolean;
};

/** An agent's answer to a stop in a broken environment (see AgentSpec.stopWhenBroken). */
export type StopWhenBroken = 'stopped' | 'failed';

export function invalidEnvironmentOutcome(
  action: string,
  isProbe: boolean,
  code: OcfExitCode,
  stopWhenBroken: StopWhenBroken = 'stopped',
): InvalidEnvironmentOutcome {
  if (action === 'stop') return stopWhenBroken === 'stopped' ? { code: OcfExit.SUCCESS, report: false } : { code: OcfExit.ERR_GENERIC, report: true };
  // a notification must succeed (Pacemaker would treat 6 as fatal); what is wrong shows in the other actions
  if (action === 'notify') return { code: OcfExit.SUCCESS, report: false };
  if (action === 'monitor') return isProbe ? { code: OcfExit.NOT_RUNNING, report: false } : { code: OcfExit.ERR_GENERIC, report: true };
  return { code, report: true };
}
