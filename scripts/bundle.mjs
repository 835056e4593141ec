// Bundles each agent entry point (dist/agents/<Agent>/main.js, and helpers run as processes of their own,
// *-main.js) into one file under dist/bundle/, which is what the installed shims run; what several entries share,
// and what they load lazily (execa), goes into dist/bundle/chunks/. Measured side by side: an IPaddr2 monitor
// takes half the time it takes from the unbundled modules (execa alone is ~100 modules to resolve), and a MailTo
// monitor, which runs no command, 17% less than from one file holding execa too.
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';

const agentsDir = 'dist/agents';
const outdir = 'dist/bundle';
const entryPoints = readdirSync(agentsDir, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .flatMap((d) =>
    readdirSync(path.join(agentsDir, d.name))
      .filter((f) => f === 'main.js' || f.endsWith('-main.js'))
      .map((f) => path.join(agentsDir, d.name, f)),
  );

// lib/version.ts: the bundles carry package.json's version as a constant instead of reading the file at start-up
const { version } = JSON.parse(readFileSync('package.json', 'utf8'));

// lib/node-require.ts makes a require() with node:module, which would load Node's ES module loader at every start;
// a CommonJS bundle has its own, which finds pino in node_modules from the bundle's place just the same.
const ownRequire = {
  name: 'own-require',
  setup(b) {
    b.onLoad({ filter: /[\\/]lib[\\/]node-require\.js$/ }, () => ({ contents: 'export const nodeRequire = require;', loader: 'js' }));
  },
};

// Stale files of an earlier build (old chunks) would otherwise be installed with the new ones.
rmSync(outdir, { recursive: true, force: true });
await build({
  entryPoints,
  outbase: 'dist',
  outdir,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  logLevel: 'warning',
  plugins: [ownRequire],
  define: { TSHA_BUNDLED_VERSION: JSON.stringify(version), 'import.meta.url': '__tshaImportMetaUrl' },
  // the compiled modules' import.meta.url (lib/version.ts), which the bundles never read
  banner: { js: "const __tshaImportMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
});
// package.json says "type": "module"; the bundles are CommonJS
writeFileSync(path.join(outdir, 'package.json'), '{ "type": "commonjs" }\n');
console.log(`bundled ${entryPoints.length} entry points into ${outdir}`);
