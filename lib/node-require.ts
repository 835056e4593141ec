// SPDX-License-Identifier: GPL-2.0-or-later
// require() for what a module loads only when it needs it (pino, node:child_process). The agents' bundles are
// CommonJS and get their own require in place of this module (scripts/bundle.mjs): node:module alone would load
// Node's ES module loader at every start-up.
import { createRequire } from 'node:module';

export const nodeRequire: NodeJS.Require = createRequire(import.meta.url);
