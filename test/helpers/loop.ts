// SPDX-License-Identifier: GPL-2.0-or-later
// Loop devices for tests; the benchmarks use them too, so they live in scripts/harness.
export { createLoop, type LoopDevice } from '../../scripts/harness/loop.js';
