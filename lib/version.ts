// SPDX-License-Identifier: GPL-2.0-or-later
// tsha's version. It is written in one place, package.json. The bundles the installed agents run get it as a
// constant (esbuild's define in scripts/bundle.mjs), so an agent reads no file to know it; the compiled modules
// (the tsha command, the tests) read the package.json beside dist/, the repository's or /usr/lib/tsha's.
import { readFileSync } from 'node:fs';

/** Replaced by the version string in the bundles; never defined in the compiled modules. */
declare const TSHA_BUNDLED_VERSION: string | undefined;

function packageVersion(): string {
  const file = new URL('../../package.json', import.meta.url);
  const { version } = JSON.parse(readFileSync(file, 'utf8')) as { version?: unknown };
  if (typeof version !== 'string') throw new Error(`no version in ${file.pathname}`);
  return version;
}

export const VERSION: string = typeof TSHA_BUNDLED_VERSION === 'string' ? TSHA_BUNDLED_VERSION : packageVersion();
