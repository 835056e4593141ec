// SPDX-License-Identifier: GPL-2.0-or-later
// The import graph of the sources (type-only imports included) has no circle: each module can be read, and
// bundled, knowing only what it imports.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';

const root = fileURLToPath(new URL('../../', import.meta.url));
const SOURCES = ['agents', 'lib', 'scripts'];

function sourceFiles(dir: string): string[] {
  return readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const rel = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(rel);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [rel] : [];
  });
}

/** The project files a module imports: static, type-only, re-exports and dynamic import() of relative paths. */
export function importsOf(file: string, text: string): string[] {
  const specifiers = [...text.matchAll(/(?:\bfrom\s+|\bimport\s*\(\s*|^\s*import\s+)'(\.[^']+)'/gm)].map((m) => m[1]!);
  return specifiers.map((spec) => path.join(path.dirname(file), spec).replace(/\.js$/, '.ts'));
}

/** Every circle, each once, as the list of files around it. */
export function cycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const found = new Map<string, string[]>();
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string): void => {
    state.set(node, 'open');
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === 'open') {
        const circle = stack.slice(stack.indexOf(next));
        found.set([...circle].sort().join(' '), circle);
      } else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(node, 'done');
  };
  for (const node of [...graph.keys()].sort()) if (!state.has(node)) visit(node);
  return [...found.values()];
}

describe('the import graph of agents/, lib/ and scripts/', () => {
  it('finds a circle when there is one (the check itself)', () => {
    const graph = new Map([['a.ts', ['b.ts']], ['b.ts', ['c.ts']], ['c.ts', ['a.ts']], ['d.ts', ['a.ts']]]);
    expect(cycles(graph)).to.deep.equal([['a.ts', 'b.ts', 'c.ts']]);
    expect(importsOf('agents/X/actions.ts', "import type { Ctx } from './params.js';\nconst m = await import('../../lib/exec.js');")).to.deep.equal([
      'agents/X/params.ts',
      'lib/exec.ts',
    ]);
  });

  it('has no circle', () => {
    const files = SOURCES.flatMap(sourceFiles);
    const known = new Set(files);
    const graph = new Map(files.map((file) => [file, importsOf(file, readFileSync(path.join(root, file), 'utf8')).filter((f) => known.has(f))]));
    expect(graph.size).to.be.greaterThan(50);
    expect(cycles(graph).map((circle) => circle.join(' -> '))).to.deep.equal([]);
  });
});
