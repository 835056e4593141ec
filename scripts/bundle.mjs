// Bundles each agent entry point (dist/agents/<Agent>/main.js, and helpers run as processes of their own,
// *-main.js) into one file under dist/bundle/, which is what the installed shims run. Measured with
// scripts/bench: one file per agent halves an IPaddr2 monitor (execa alone is ~100 modules to resolve).
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';

const agentsDir = 'dist/agents';
const entryPoints = readdirSync(agentsDir, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .flatMap((d) =>
    readdirSync(path.join(agentsDir, d.name))
      .filter((f) => f === 'main.js' || f.endsWith('-main.js'))
      .map((f) => path.join(agentsDir, d.name, f)),
  );

await build({
  entryPoints,
  outbase: 'dist',
  outdir: 'dist/bundle',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  logLevel: 'warning',
  // execa's CommonJS dependencies call require(); pino is loaded at run time from node_modules (lib/log.ts)
  banner: { js: "import { createRequire as __tshaCreateRequire } from 'node:module'; const require = __tshaCreateRequire(import.meta.url);" },
});
console.log(`bundled ${entryPoints.length} entry points into dist/bundle`);
