// SPDX-License-Identifier: GPL-2.0-or-later
// The man pages the packages ship (generated at build time by scripts/gen-man.ts): each renders with `man -l`
// and without a single groff warning (-ww), has a NAME line whatis can index, and documents what the code
// declares (every parameter of the agent; every command of tsha).
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { expect } from 'chai';
import { execa } from 'execa';
import type { CommandDoc } from '../../scripts/gen-man.js';
import { describeCommand } from '../../scripts/gen-man.js';
import { tshaCommands } from '../../scripts/tsha.js';
import { agentNames, loadAgent } from '../../agents/index.js';
import { advertisedActions } from '../../lib/ocf/metadata.js';
import { pkg, rpmPayload } from './packages.js';

const PAGES = [...agentNames.map((a) => `/usr/share/man/man7/ocf_tsha_${a}.7.gz`), '/usr/share/man/man8/tsha.8.gz'];

/** Every `tsha ...` command line the declarations define, subcommands included. */
function commandLines(prefix: string, doc: CommandDoc): string[] {
  const name = `${prefix} ${doc.usage.split(' ')[0]}`;
  return doc.commands.length === 0 ? [name] : doc.commands.flatMap((sub) => commandLines(name, sub));
}

describe('the man pages in the RPM', function () {
  this.timeout(600_000);
  let root: string;
  before(async () => {
    root = await rpmPayload();
  });

  for (const page of PAGES) {
    const name = path.basename(page, '.gz');
    it(`${name}: man -l renders it, groff -ww finds nothing to warn about, whatis can index it`, async () => {
      const file = path.join(root, page);
      const man = await execa('man', ['-l', file], { env: { MANPAGER: 'cat', MANWIDTH: '100', LC_ALL: 'C.UTF-8' }, reject: false });
      expect(man.exitCode, man.stderr).to.equal(0);
      expect(man.stdout).to.match(/^NAME\n/m);
      expect(man.stdout).to.include(`tsha ${pkg.version}`);
      const groff = await execa('groff', ['-ww', '-man', '-Tutf8'], { input: gunzipSync(await readFile(file)), reject: false });
      expect(groff.stderr, 'groff warnings').to.equal('');
      expect(groff.exitCode).to.equal(0);
      const whatis = await execa('lexgrog', [file], { reject: false });
      expect(whatis.exitCode, whatis.stdout).to.equal(0);
      expect(whatis.stdout).to.match(/: ".+ - .+"$/);
    });
  }

  for (const agent of agentNames) {
    it(`ocf_tsha_${agent}(7) documents every parameter and action the declaration has`, async () => {
      const text = (await execa('man', ['-l', path.join(root, `/usr/share/man/man7/ocf_tsha_${agent}.7.gz`)], { env: { MANPAGER: 'cat', MANWIDTH: '200' } })).stdout;
      const declared = await loadAgent(agent);
      for (const name of Object.keys(declared.params)) expect(text, name).to.match(new RegExp(`^ {7}${name} \\(`, 'm'));
      const actions = advertisedActions(declared).map((a) => a.name);
      expect(actions).to.include.members(['start', 'stop', 'monitor', 'meta-data', 'validate-all']);
      // a short tag shares its line with the text (.TP)
      for (const action of actions) expect(text, action).to.match(new RegExp(`^ {7}${action}( |$)`, 'm'));
    });
  }

  it('tsha(8) documents every command the tsha command declares', async () => {
    const text = (await execa('man', ['-l', path.join(root, '/usr/share/man/man8/tsha.8.gz')], { env: { MANPAGER: 'cat', MANWIDTH: '200' } })).stdout;
    const lines = tshaCommands.flatMap((c) => commandLines('tsha', describeCommand(c)));
    expect(lines).to.include('tsha lab up');
    for (const line of lines) expect(text, line).to.include(line);
  });
});
