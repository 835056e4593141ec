// SPDX-License-Identifier: GPL-2.0-or-later
import { OcfExit, type OcfExitCode } from './exit-codes.js';

/** The one error an action throws: the exit code is its identity, the reason is shown by crm_mon. */
export class OcfError extends Error {
  readonly code: OcfExitCode;
  readonly reason: string;

  constructor(code: OcfExitCode, reason: string, options?: { cause?: unknown }) {
    super(reason, options);
    this.name = 'OcfError';
    this.code = code;
    this.reason = reason;
  }

  static generic(reason: string, cause?: unknown): OcfError {
    return new OcfError(OcfExit.ERR_GENERIC, reason, { cause });
  }
  static args(reason: string): OcfError {
    return new OcfError(OcfExit.ERR_ARGS, reason);
  }
  static perm(reason: string): OcfError {
    return new OcfError(OcfExit.ERR_PERM, reason);
  }
  static installed(reason: string): OcfError {
    return new OcfError(OcfExit.ERR_INSTALLED, reason);
  }
  static configured(reason: string): OcfError {
    return new OcfError(OcfExit.ERR_CONFIGURED, reason);
  }
  static notRunning(reason: string): OcfError {
    return new OcfError(OcfExit.NOT_RUNNING, reason);
  }
}

export function fail(code: OcfExitCode, reason: string): never {
  throw new OcfError(code, reason);
}

export function isOcfError(error: unknown): error is OcfError {
  return error instanceof OcfError;
}

/** The message of anything thrown (an OcfError's message is its reason). */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
