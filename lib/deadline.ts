// SPDX-License-Identifier: GPL-2.0-or-later
// Pacemaker SIGKILLs the agent's whole process group when CRM_meta_timeout runs out, so everything the agent
// does must end a little before that: the margin leaves time to report an exit reason.
export type Deadline = {
  readonly timeoutMs: number;
  readonly expiresAt: number;
  /** Milliseconds left before the agent must be done (never negative). */
  remaining(): number;
  expired(): boolean;
};

export function marginFor(timeoutMs: number): number {
  return Math.min(1000, Math.max(100, Math.floor(timeoutMs / 10)));
}

export function createDeadline(timeoutMs: number, startedAt: number, now: () => number = Date.now): Deadline {
  const expiresAt = startedAt + timeoutMs - marginFor(timeoutMs);
  return {
    timeoutMs,
    expiresAt,
    remaining: () => Math.max(0, expiresAt - now()),
    expired: () => now() >= expiresAt,
  };
}

/** Resolves after ms, or earlier when the deadline comes first; returns false when no time is left. */
export async function sleepWithin(deadline: Deadline, ms: number): Promise<boolean> {
  const wait = Math.min(ms, deadline.remaining());
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  return !deadline.expired();
}
