// Bundles the simulator's command-line entry points (dist/scripts/drbdsim: drbdadm, drbdsetup, drbdsim and the
// resource daemon) into one CommonJS file each under dist/bundle/drbdsim/, which is what the wrappers written by
// setup.ts run when it exists. Every drbdadm/drbdsetup call of an agent on the simulator starts one of them: from
// ~25 ES modules each a node start costs more than the command itself. Run after tsc (`make build`).
import { mkdirSync, writeFileSync } from 'node:fs';
import { build } from 'esbuild';
import { cjsBundleOptions } from '../esbuild-cjs.mjs';

const outdir = 'dist/bundle/drbdsim';
const entries = ['drbdadm', 'drbdsetup', 'drbdsim', 'daemon-main'];
mkdirSync(outdir, { recursive: true });
// .js names kept (client.ts starts daemon-main.js from its own folder); this package.json makes them CommonJS
writeFileSync(`${outdir}/package.json`, '{ "type": "commonjs" }\n');
await build({
  ...cjsBundleOptions,
  entryPoints: entries.map((e) => `dist/scripts/drbdsim/${e}.js`),
  outdir,
});
console.log(`bundled ${entries.length} drbdsim entry points into ${outdir}`);
