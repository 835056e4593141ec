// The esbuild options every bundle of ours shares (the agents' in scripts/bundle.mjs, the simulator's in
// scripts/drbdsim/bundle.mjs): one CommonJS file per entry for Node 20, whose compiled modules' import.meta.url
// (lib/watch/lifecycle.ts, the simulator's client) becomes the bundle's own file URL.
export const cjsBundleOptions = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  logLevel: 'warning',
  define: { 'import.meta.url': '__tshaImportMetaUrl' },
  banner: { js: "const __tshaImportMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
};
