// SPDX-License-Identifier: GPL-2.0-or-later
// Meta-data: escaped, valid for every judge (ra-api-1.dtd as ocf-tester uses it, pcs 0.11's OCF 1.1 schema),
// and identical to the files in metadata/.
import { readFile } from 'node:fs/promises';
import { expect } from 'chai';
import { execa } from 'execa';
import { agentNames, loadAgent } from '../../../agents/index.js';
import { defineAgent } from '../../../lib/ocf/agent.js';
import { escapeXml, renderMetadata, usageText } from '../../../lib/ocf/metadata.js';
import { OcfExit } from '../../../lib/ocf/exit-codes.js';
import { param } from '../../../lib/ocf/params.js';

const handler = async () => OcfExit.SUCCESS;
const tricky = defineAgent({
  name: 'Tricky',
  version: '1.0',
  shortdesc: 'quotes " and \' and <tags> & ampersands',
  longdesc: 'a <b>long</b> description & more',
  params: {
    mode: param.select({ shortdesc: 'mode', longdesc: 'how', options: ['a', 'b'], default: 'a', uniqueGroup: 'g' }),
    count: param.integer({ shortdesc: 'n', longdesc: 'count', min: 0, max: 9, reloadable: true }),
  },
  actions: {
    start: { timeout: '20s', handler },
    stop: { timeout: '20s', handler },
    monitor: {
      timeout: '20s',
      handler,
      advertise: [
        { timeout: '20s', interval: '29s', role: 'Promoted' },
        { timeout: '20s', interval: '31s', role: 'Unpromoted' },
      ],
    },
    promote: { timeout: '90s', handler },
    demote: { timeout: '90s', handler },
    notify: { timeout: '90s', handler },
  },
});

async function lintDtd(xml: string) {
  // as ocf-tester does: from the DTD's folder, with the document's own DOCTYPE
  return execa('xmllint', ['--noout', '--valid', '-'], { input: xml, cwd: '/usr/share/resource-agents', reject: false });
}
async function lintPcs(xml: string) {
  return execa('xmllint', ['--noout', '--relaxng', '/usr/share/pcs/data/ocf-1.1.rng', '-'], { input: xml, reject: false });
}

describe('lib/ocf/metadata', () => {
  it('escapes XML special characters', () => {
    expect(escapeXml(`<a href="x">'&'</a>`)).to.equal('&lt;a href=&quot;x&quot;&gt;&apos;&amp;&apos;&lt;/a&gt;');
    const xml = renderMetadata(tricky);
    expect(xml).to.include('<shortdesc lang="en">quotes &quot; and &apos; and &lt;tags&gt; &amp; ampersands</shortdesc>');
  });

  it('renders select as string with its choices, unique-group as unique, and one action per role monitor', () => {
    const xml = renderMetadata(tricky);
    expect(xml).to.include('<parameter name="mode" unique="1" required="0">');
    expect(xml).to.include('Allowed values: a, b.');
    expect(xml).to.include('<content type="string" default="a"/>');
    expect(xml).to.include('Range: 0 to 9.');
    expect(xml).to.include('<action name="monitor" timeout="20s" interval="29s" role="Promoted"/>');
    expect(xml).to.include('<action name="monitor" timeout="20s" interval="31s" role="Unpromoted"/>');
    expect(xml).to.include('<action name="validate-all" timeout="20s"/>');
    expect(usageText(tricky)).to.equal('usage: Tricky {start|stop|monitor|promote|demote|notify|meta-data|validate-all|usage}\n');
  });

  it('is valid against ra-api-1.dtd and pcs ocf-1.1.rng even with OCF 1.1 features declared', async () => {
    const xml = renderMetadata(tricky);
    const dtd = await lintDtd(xml);
    expect(dtd.exitCode, dtd.stderr).to.equal(0);
    const rng = await lintPcs(xml);
    expect(rng.exitCode, rng.stderr).to.equal(0);
  });

  for (const name of agentNames) {
    describe(`agent ${name}`, () => {
      it('renders exactly metadata/<Agent>.xml (run `make metadata` after changing a declaration)', async () => {
        const golden = await readFile(new URL(`../../../../metadata/${name}.xml`, import.meta.url), 'utf8');
        expect(renderMetadata(await loadAgent(name))).to.equal(golden);
      });
      it('is valid against ra-api-1.dtd and pcs ocf-1.1.rng', async () => {
        const xml = renderMetadata(await loadAgent(name));
        const dtd = await lintDtd(xml);
        expect(dtd.exitCode, dtd.stderr).to.equal(0);
        const rng = await lintPcs(xml);
        expect(rng.exitCode, rng.stderr).to.equal(0);
      });
    });
  }
});
