// Bundles each agent entry point (dist/agents/<Agent>/main.js, and helpers run as processes of their own,
// *-main.js) into one CommonJS file under dist/bundle/, which is what the installed shims require. CommonJS
// because Node's ES module loader alone costs an agent about a third of its start-up above an empty node; an
// action loads the rest of what it needs (node:child_process, pino: bundled too, below) when it needs it.
// Measured side by side (scripts/bench/perf-probe.ts): a MailTo monitor went from 1.54x an empty node to 1.13x
// with the changes that came with it, an IPaddr2 monitor from 1.32x to 0.84x heartbeat's wall time.
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';
import { cjsBundleOptions } from './esbuild-cjs.mjs';

const agentsDir = 'dist/agents';
const outdir = 'dist/bundle';
const entryPoints = readdirSync(agentsDir, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .flatMap((d) =>
    readdirSync(path.join(agentsDir, d.name))
      .filter((f) => f === 'main.js' || f.endsWith('-main.js'))
      .map((f) => path.join(agentsDir, d.name, f)),
  );
entryPoints.push('dist/lib/watch/daemon-main.js'); // the event watch daemon (lib/watch), one per node

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

// A builtin imported at the top of a module would load for every action of the agent: fs/promises (a dozen
// modules: readline, watchers...) and net (streams) where one action reads a file or checks an address. In the
// bundles they load on the first call instead; a name not listed here fails the build rather than the agent.
const LAZY_BUILTINS = {
  'fs/promises': Object.keys(await import('node:fs/promises')).filter((k) => k !== 'default' && k !== 'constants'),
  net: ['isIP', 'isIPv4', 'isIPv6'],
};
const lazyBuiltins = {
  name: 'lazy-builtins',
  setup(b) {
    b.onResolve({ filter: /^(node:)?(fs\/promises|net)$/ }, (args) =>
      // the stand-in's own require() is of the real module
      args.namespace === 'lazy-builtin' ? { path: args.path, external: true } : { path: args.path.replace(/^node:/, ''), namespace: 'lazy-builtin' },
    );
    b.onLoad({ filter: /.*/, namespace: 'lazy-builtin' }, ({ path: name }) => ({
      contents: [
        `const load = () => require('node:${name}');`,
        ...LAZY_BUILTINS[name].map((fn) => `export function ${fn}(...args) { return load().${fn}(...args); }`),
      ].join('\n'),
      loader: 'js',
    }));
  },
};

// Stale files of an earlier build (old chunks) would otherwise be installed with the new ones.
rmSync(outdir, { recursive: true, force: true });
await build({
  ...cjsBundleOptions,
  entryPoints,
  outbase: 'dist',
  outdir,
  plugins: [ownRequire, lazyBuiltins],
  define: { ...cjsBundleOptions.define, TSHA_BUNDLED_VERSION: JSON.stringify(version) },
});
// pino, which an action loads at its first log line, as one file: found and compiled as some twenty modules it
// took 27-30 ms here, as one bundled file 12-15 ms (measured side by side, `env -i`). It sits in node_modules next
// to the bundles, where every bundle's require('pino') finds it before the installed package.
await build({
  ...cjsBundleOptions,
  stdin: { contents: "module.exports = require('pino');", resolveDir: process.cwd(), loader: 'js' },
  outfile: path.join(outdir, 'node_modules', 'pino', 'index.js'),
});
// package.json says "type": "module"; the bundles are CommonJS
writeFileSync(path.join(outdir, 'package.json'), '{ "type": "commonjs" }\n');
console.log(`bundled ${entryPoints.length} entry points and pino into ${outdir}`);
