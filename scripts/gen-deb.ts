// SPDX-License-Identifier: GPL-2.0-or-later
// Turns an installed tree (scripts/install.sh with DESTDIR=ROOT) into the tree of a Debian package, for
// `dpkg-deb --build ROOT` (`make deb`): man pages and README compressed as Debian's tools do, the copyright file
// (tsha's licence and each bundled Node.js module's), changelog.Debian.gz, lintian overrides, DEBIAN/control and
// DEBIAN/md5sums. What the RPM also says (summary, description, maintainer, release, changelog) is read from
// tsha.spec, the version from package.json; packaging/debian/control holds only the Debian names of dependencies.
//   node dist/scripts/gen-deb.js ROOT
import { createHash } from 'node:crypto';
import { lstat, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { VERSION } from '../lib/version.js';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const DOC_DIR = 'usr/share/doc/tsha';

export type SpecFacts = {
  readonly summary: string;
  readonly packager: string;
  readonly release: string;
  readonly description: string;
  readonly changelog: readonly ChangelogEntry[];
};
export type ChangelogEntry = { readonly date: Date; readonly author: string; readonly version: string; readonly items: readonly string[] };

/** The facts of tsha.spec the .deb repeats. */
export function parseSpec(spec: string): SpecFacts {
  const tag = (name: string): string => {
    const value = new RegExp(`^${name}:\\s*(.+)$`, 'm').exec(spec)?.[1]?.trim();
    if (!value) throw new Error(`tsha.spec has no ${name} tag`);
    return value;
  };
  const section = (name: string): string => {
    const start = spec.indexOf(`\n%${name}\n`);
    if (start < 0) throw new Error(`tsha.spec has no %${name}`);
    const body = spec.slice(start + name.length + 3);
    const next = /^%[a-z]+\s*$/m.exec(body);
    return (next ? body.slice(0, next.index) : body).trim();
  };
  const changelog: ChangelogEntry[] = [];
  for (const line of section('changelog').split('\n')) {
    const head = /^\* (\w{3} \w{3} \d{1,2} \d{4}) (.+) - (\S+)$/.exec(line);
    const entry = changelog.at(-1);
    if (head) changelog.push({ date: new Date(`${head[1]} 12:00:00 UTC`), author: head[2] ?? '', version: head[3] ?? '', items: [] });
    else if (line.startsWith('- ') && entry) (entry.items as string[]).push(line.slice(2));
    else if (/^\s+\S/.test(line) && entry && entry.items.length > 0) (entry.items as string[])[entry.items.length - 1] += ` ${line.trim()}`;
    else if (line.trim() !== '') throw new Error(`tsha.spec %changelog: cannot read \`${line}\``);
  }
  const release = tag('Release').replace(/%\{\?dist\}$/, '');
  return { summary: tag('Summary'), packager: tag('Packager'), release, description: section('description'), changelog };
}

/** A changelog in Debian's format (deb-changelog(5)), entries as the spec lists them, newest first. */
export function debianChangelog(entries: readonly ChangelogEntry[]): string {
  const wrap = (text: string): string => {
    const lines: string[] = [];
    let line = '';
    for (const word of text.split(/\s+/)) {
      if (line && line.length + word.length + 1 > 72) {
        lines.push(line);
        line = word;
      } else line = line ? `${line} ${word}` : word;
    }
    lines.push(line);
    return lines.map((l, i) => `${i === 0 ? '  * ' : '    '}${l}`).join('\n');
  };
  return entries
    .map((e) => {
      const date = e.date.toUTCString().replace(/ GMT$/, ' +0000');
      return `tsha (${e.version}) unstable; urgency=medium\n\n${e.items.map(wrap).join('\n')}\n\n -- ${e.author}  ${date}\n`;
    })
    .join('\n');
}

/** Every file and folder under dir, relative, folders first. */
async function walk(dir: string, rel = ''): Promise<{ rel: string; dir: boolean; size: number }[]> {
  const out: { rel: string; dir: boolean; size: number }[] = [];
  for (const entry of (await readdir(path.join(dir, rel), { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
    const child = path.posix.join(rel, entry.name);
    if (entry.isDirectory()) out.push({ rel: child, dir: true, size: 0 }, ...(await walk(dir, child)));
    else out.push({ rel: child, dir: false, size: (await lstat(path.join(dir, child))).size });
  }
  return out;
}

async function gzipFile(file: string): Promise<void> {
  // no name, no time stamp in the header (gzip -9n): the same input gives the same package
  await writeFile(`${file}.gz`, gzipSync(await readFile(file), { level: 9 }));
  await rm(file);
}

/** The bundled Node.js modules: name, version and licence from each package.json under node_modules. */
async function bundledModules(nodeModules: string): Promise<{ name: string; version: string; license: string; dir: string }[]> {
  const found: { name: string; version: string; license: string; dir: string }[] = [];
  for (const { rel, dir } of await walk(nodeModules)) {
    if (dir || path.posix.basename(rel) !== 'package.json') continue;
    const pkg = JSON.parse(await readFile(path.join(nodeModules, rel), 'utf8')) as { name?: string; version?: string; license?: string };
    const folder = path.posix.dirname(rel);
    // a module's own folder, not a package.json deeper inside it (some mark their esm/ folder with one)
    if (!pkg.name || !pkg.version || !folder.endsWith(pkg.name)) continue;
    found.push({ name: pkg.name, version: pkg.version, license: pkg.license ?? 'see its folder', dir: folder });
  }
  return found;
}

export async function debianize(root: string): Promise<void> {
  const spec = parseSpec(await readFile(path.join(repo, 'tsha.spec'), 'utf8'));
  const version = `${VERSION}-${spec.release}`;
  const latest = spec.changelog[0];
  if (latest?.version !== version) throw new Error(`tsha.spec's newest %changelog entry is ${latest?.version}, the package ${version}`);

  for (const section of ['man7', 'man8']) {
    const dir = path.join(root, 'usr/share/man', section);
    for (const page of await readdir(dir)) await gzipFile(path.join(dir, page));
  }
  const doc = path.join(root, DOC_DIR);
  await mkdir(doc, { recursive: true });
  await writeFile(path.join(doc, 'README.md'), await readFile(path.join(repo, 'README.md')));
  await gzipFile(path.join(doc, 'README.md'));
  await writeFile(path.join(doc, 'changelog.Debian.gz'), gzipSync(debianChangelog(spec.changelog), { level: 9 }));
  const modules = await bundledModules(path.join(root, 'usr/lib/tsha/node_modules'));
  await writeFile(
    path.join(doc, 'copyright'),
    [
      (await readFile(path.join(repo, 'LICENSE'), 'utf8')).trimEnd(),
      '',
      'On Debian systems, the complete text of the GNU General Public License version 2 can be found in',
      '/usr/share/common-licenses/GPL-2.',
      '',
      'tsha runs with these Node.js modules, shipped in /usr/lib/tsha/node_modules; each folder holds the',
      "module's licence and copyright notice:",
      ...modules.map((m) => `  ${m.dir.padEnd(48)} ${m.version.padEnd(8)} ${m.license}`),
      '',
    ].join('\n'),
  );
  const overrides = path.join(root, 'usr/share/lintian/overrides');
  await mkdir(overrides, { recursive: true });
  await writeFile(path.join(overrides, 'tsha'), await readFile(path.join(repo, 'packaging/debian/lintian-overrides')));

  const entries = await walk(root);
  const md5sums = await Promise.all(
    entries.filter((e) => !e.dir).map(async (e) => `${createHash('md5').update(await readFile(path.join(root, e.rel))).digest('hex')}  ${e.rel}`),
  );
  // as dpkg-gencontrol counts it: kibibytes per file, rounded up, and one per folder
  const installedSize = entries.reduce((sum, e) => sum + (e.dir ? 1 : Math.ceil(e.size / 1024)), 0);
  const control = (await readFile(path.join(repo, 'packaging/debian/control'), 'utf8'))
    .replace('@VERSION@', version)
    .replace('@MAINTAINER@', spec.packager)
    .replace('@INSTALLED_SIZE@', String(installedSize))
    .replace('@SUMMARY@', spec.summary)
    .replace('@DESCRIPTION@', spec.description.split('\n').map((l) => (l.trim() ? ` ${l}` : ' .')).join('\n'));
  await mkdir(path.join(root, 'DEBIAN'), { recursive: true });
  await writeFile(path.join(root, 'DEBIAN/control'), control);
  await writeFile(path.join(root, 'DEBIAN/md5sums'), `${md5sums.join('\n')}\n`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === (await import('node:fs')).realpathSync(process.argv[1])) {
  const root = process.argv[2];
  if (!root) {
    console.error('usage: gen-deb.js ROOT');
    process.exit(2);
  }
  await debianize(path.resolve(root));
}
