// SPDX-License-Identifier: GPL-2.0-or-later
// Writes metadata/<Agent>.xml from each declaration; test/metadata checks the files stay in step with the code.
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { agentNames, loadAgent } from '../agents/index.js';
import { renderMetadata } from '../lib/ocf/metadata.js';

const metadataDir = fileURLToPath(new URL('../../metadata/', import.meta.url));
for (const name of agentNames) {
  await writeFile(`${metadataDir}${name}.xml`, renderMetadata(await loadAgent(name)));
  console.log(`metadata/${name}.xml`);
}
