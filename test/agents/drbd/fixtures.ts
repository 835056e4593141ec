// SPDX-License-Identifier: GPL-2.0-or-later
// Compiled tests run from dist/test/...; the fixtures stay in the source tree.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const shared = fileURLToPath(new URL('../../../../test/fixtures/drbd/', import.meta.url));
const own = fileURLToPath(new URL('../../../../test/fixtures/drbd-agent/', import.meta.url));

/** A sample from test/fixtures/drbd (shared with the simulator). */
export const sharedFixture = (name: string): string => readFileSync(`${shared}${name}`, 'utf8');
/** A sample from test/fixtures/drbd-agent (this agent's own). */
export const agentFixture = (name: string): string => readFileSync(`${own}${name}`, 'utf8');
