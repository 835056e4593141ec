// SPDX-License-Identifier: GPL-2.0-or-later
// The event watch daemon's process (lib/watch/daemon.ts), started detached by an agent's start or monitor.
// It runs with the environment of the agent that started it: the resource's own variables are dropped, each
// confirmation gets the environment its registration saved.
import { createLogger } from '../log.js';
import { withSystemPath } from '../ocf/env.js';
import { WatchDaemon, killOrphanSources } from './daemon.js';
import { watchDir } from './registry.js';

for (const key of Object.keys(process.env)) if (key.startsWith('OCF_') || key.startsWith('CRM_')) delete process.env[key];
process.env.PATH = withSystemPath(process.env.PATH);
const log = createLogger({ agent: 'tsha-watch', env: process.env });
// a SIGTERM (a node shutting down) ends the sources too: exec's exit hook kills their process groups
for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(signal, () => process.exit(0));
process.on('uncaughtException', (error) => {
  log.error('event watch: unexpected error, exiting', { error: error.message });
  process.exit(1);
});

// no top-level await: the bundle may be CommonJS
void (async () => {
  const killed = await killOrphanSources();
  if (killed > 0) log.info('event watch: ended event sources left by a killed daemon', { killed });
  await new WatchDaemon({ dir: watchDir(process.env), log }).run();
  process.exit(0);
})();
