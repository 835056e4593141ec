// SPDX-License-Identifier: GPL-2.0-or-later
// The agents this package ships, loaded on demand (the tsha command, meta-data generation, tests).
import type { AnyAgent } from '../lib/ocf/agent.js';

export const agentLoaders: Readonly<Record<string, () => Promise<AnyAgent>>> = {
  IPaddr2: async () => (await import('./IPaddr2/agent.js')).ipaddr2,
  MailTo: async () => (await import('./MailTo/agent.js')).mailTo,
  Filesystem: async () => (await import('./Filesystem/agent.js')).filesystem,
  drbd: async () => (await import('./drbd/agent.js')).drbd,
};

export const agentNames = Object.keys(agentLoaders).sort();

export async function loadAgent(name: string): Promise<AnyAgent> {
  const loader = agentLoaders[name] ?? Object.entries(agentLoaders).find(([n]) => n.toLowerCase() === name.toLowerCase())?.[1];
  if (!loader) throw new Error(`unknown agent \`${name}\`; known: ${agentNames.join(', ')}`);
  return loader();
}
