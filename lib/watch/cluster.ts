// SPDX-License-Identifier: GPL-2.0-or-later
// Whether the cluster lets the watch report a failure, read from one `crm_mon --output-as=xml`: the cluster not
// in maintenance-mode, the node online, not in standby, not in maintenance and not shutting down, and the
// resource active on that node and managed (a resource in maintenance, or under an unmanaged clone or group,
// reads managed="false"). Pure.

export type Verdict = { readonly act: true } | { readonly act: false; readonly why: string };

function attrs(tag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of tag.matchAll(/([\w:-]+)="([^"]*)"/g)) out[m[1] as string] = m[2] as string;
  return out;
}

export function mayReport(xml: string, resource: string, node: string): Verdict {
  const options = /<cluster_options\b[^>]*>/.exec(xml)?.[0];
  if (!options) return { act: false, why: 'crm_mon gave no cluster options' };
  if (attrs(options)['maintenance-mode'] === 'true') return { act: false, why: 'the cluster is in maintenance mode' };
  const nodes = /<nodes>([\s\S]*?)<\/nodes>/.exec(xml)?.[1] ?? '';
  const self = [...nodes.matchAll(/<node\b[^>]*>/g)].map((m) => attrs(m[0])).find((a) => a.name === node);
  if (!self) return { act: false, why: `node ${node} is not in the cluster` };
  if (self.online !== 'true') return { act: false, why: `node ${node} is not online` };
  if (self.standby === 'true') return { act: false, why: `node ${node} is in standby` };
  if (self.maintenance === 'true') return { act: false, why: `node ${node} is in maintenance` };
  if (self.shutdown === 'true') return { act: false, why: `node ${node} is shutting down` };
  const resources = /<resources>([\s\S]*?)<\/resources>/.exec(xml)?.[1] ?? '';
  for (const m of resources.matchAll(/<resource\b([^>]*?)(?:\/>|>([\s\S]*?)<\/resource>)/g)) {
    const a = attrs(m[1] ?? '');
    if ((a.id ?? '').replace(/:\d+$/, '') !== resource) continue;
    const on = [...(m[2] ?? '').matchAll(/<node\b[^>]*>/g)].some((n) => attrs(n[0]).name === node);
    if (!on) continue;
    if (a.managed !== 'true') return { act: false, why: `${resource} is not managed (or in maintenance)` };
    if (a.maintenance === 'true') return { act: false, why: `${resource} is in maintenance` };
    return { act: true };
  }
  return { act: false, why: `the cluster does not run ${resource} on ${node}` };
}
