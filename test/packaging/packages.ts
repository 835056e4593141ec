// SPDX-License-Identifier: GPL-2.0-or-later
// The packages under test: `make rpm deb` in a fresh clone of this repository (its HEAD, without node_modules or
// dist), built once per test run and shared by the tests of test/packaging; the RPM's payload unpacked with rpm.
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';

export const repo = fileURLToPath(new URL('../../../', import.meta.url));
export const pkg = JSON.parse(readFileSync(path.join(repo, 'package.json'), 'utf8')) as { version: string; engines: { node: string } };
/** The version and release both packages carry. */
export const FULL_VERSION = `${pkg.version}-1`;

export type Packages = { readonly rpm: string; readonly deb: string; readonly clone: string };

const scratch = mkdtempSync(path.join(os.tmpdir(), 'tsha-packaging-'));
process.on('exit', () => rmSync(scratch, { recursive: true, force: true }));

let built: Promise<Packages> | undefined;

/** `make rpm` then `make deb` in a fresh clone; the build logs are in the error when one fails. */
export function freshPackages(): Promise<Packages> {
  built ??= (async () => {
    const clone = path.join(scratch, 'clone');
    await execa('git', ['clone', '--quiet', '--no-hardlinks', repo, clone]);
    for (const target of ['rpm', 'deb']) {
      const make = await execa('make', [target], { cwd: clone, reject: false, all: true, env: { DESTDIR: '', PREFIX: '/usr' } });
      if (make.exitCode !== 0) throw new Error(`make ${target} in a fresh clone failed:\n${make.all}`);
    }
    const rpmDir = path.join(clone, 'build/rpm/RPMS/noarch');
    const rpms = readdirSync(rpmDir).filter((f) => f.endsWith('.noarch.rpm'));
    const debs = readdirSync(path.join(clone, 'build/deb')).filter((f) => f.endsWith('.deb'));
    if (rpms.length !== 1 || debs.length !== 1) throw new Error(`expected one package of each kind, found ${[...rpms, ...debs].join(' ')}`);
    return { rpm: path.join(rpmDir, rpms[0]!), deb: path.join(clone, 'build/deb', debs[0]!), clone };
  })();
  return built;
}

let payload: Promise<string> | undefined;

/** The RPM installed into an empty root with rpm itself (no dependencies, no scriptlets): the root folder. */
export function rpmPayload(): Promise<string> {
  payload ??= (async () => {
    const { rpm } = await freshPackages();
    const root = path.join(scratch, 'rpm-root');
    await mkdir(root);
    await execa('rpm', ['--root', root, '--initdb']);
    await execa('rpm', ['--root', root, '-i', '--nodeps', '--noscripts', '--nosignature', rpm]);
    return root;
  })();
  return payload;
}

/** The files a package installs, by absolute path (folders left out). */
export async function rpmFiles(rpm: string): Promise<string[]> {
  const dump = (await execa('rpm', ['-qp', '--dump', rpm])).stdout.split('\n');
  // --dump: path size mtime digest mode owner group isconfig isdoc rdev symlink
  return dump.filter((l) => (Number.parseInt(l.split(' ')[4] ?? '0', 8) & 0o170000) !== 0o040000).map((l) => l.split(' ')[0]!);
}
