// SPDX-License-Identifier: GPL-2.0-or-later
// Where the drbd-utils output samples live (test/fixtures/drbd, not compiled).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
/** dist/test/scripts/drbdsim → the repository's test/fixtures/drbd */
export const FIXTURES = path.resolve(here, '../../../../test/fixtures/drbd');

export const fixture = (name: string): string => readFileSync(path.join(FIXTURES, name), 'utf8');
