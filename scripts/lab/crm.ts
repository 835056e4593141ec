// SPDX-License-Identifier: GPL-2.0-or-later
// Reading `crm_mon --output-as=xml` and `stonith_admin --history --output-as=xml`: pure parsers, enough for the lab
// to know who is online, who is DC, where resources run, which actions failed and whom the cluster fenced.

export type CrmNode = { readonly name: string; readonly online: boolean; readonly unclean: boolean };
export type CrmResource = {
  readonly id: string;
  readonly agent: string;
  readonly role: string;
  readonly active: boolean;
  readonly failed: boolean;
  /** Nodes the resource runs on. */
  readonly nodes: readonly string[];
};
export type CrmStatus = {
  /** The DC's name, undefined while none is elected. */
  readonly dc: string | undefined;
  readonly quorum: boolean;
  readonly nodes: readonly CrmNode[];
  readonly resources: readonly CrmResource[];
  /** crm_mon's failed actions: the operation key and the node, e.g. ClusterIP_monitor_30000 on fo1. */
  readonly failures: readonly { readonly op: string; readonly node: string }[];
};

function attrs(tag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of tag.matchAll(/([\w:-]+)="([^"]*)"/g)) {
    out[m[1] as string] = (m[2] as string).replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
  }
  return out;
}

function section(xml: string, name: string): string {
  const m = new RegExp(`<${name}>([\\s\\S]*?)</${name}>`).exec(xml);
  return m?.[1] ?? '';
}

export function parseCrmMon(xml: string): CrmStatus {
  const dcTag = /<current_dc\b[^>]*>/.exec(xml)?.[0];
  const dc = dcTag ? attrs(dcTag) : {};
  const nodes = [...section(xml, 'nodes').matchAll(/<node\b[^>]*>/g)].map((m) => {
    const a = attrs(m[0]);
    return { name: a.name ?? '', online: a.online === 'true', unclean: a.unclean === 'true' };
  });
  const resources: CrmResource[] = [];
  // a <resource ...> either closes itself or holds <node .../> children
  for (const m of section(xml, 'resources').matchAll(/<resource\b([^>]*?)(\/>|>([\s\S]*?)<\/resource>)/g)) {
    const a = attrs(m[1] ?? '');
    const on = [...(m[3] ?? '').matchAll(/<node\b[^>]*>/g)].map((n) => attrs(n[0]).name ?? '');
    resources.push({
      id: a.id ?? '',
      agent: a.resource_agent ?? '',
      role: a.role ?? '',
      active: a.active === 'true',
      failed: a.failed === 'true',
      nodes: on,
    });
  }
  const failures = [...xml.matchAll(/<failure\b[^>]*>/g)].map((m) => {
    const a = attrs(m[0]);
    return { op: a.op_key ?? '?', node: a.node ?? '?' };
  });
  return {
    dc: dc.present === 'true' ? dc.name : undefined,
    quorum: dc.with_quorum === 'true',
    nodes,
    resources,
    failures,
  };
}

export type FenceEvent = {
  readonly target: string;
  readonly action: string;
  readonly status: string;
  /** The node that carried it out. */
  readonly delegate: string | undefined;
  /** The node that asked for it. */
  readonly origin: string | undefined;
  /** When it completed (ms since the epoch; the fencer keeps whole seconds), undefined while pending. */
  readonly completed: number | undefined;
};

export function parseFenceHistory(xml: string): FenceEvent[] {
  return [...xml.matchAll(/<fence_event\b[^>]*>/g)].map((m) => {
    const a = attrs(m[0]);
    const completed = a.completed ? Date.parse(a.completed.replace(' ', 'T')) : Number.NaN;
    return {
      target: a.target ?? '',
      action: a.action ?? '',
      status: a.status ?? '',
      delegate: a.delegate,
      origin: a.origin,
      completed: Number.isNaN(completed) ? undefined : completed,
    };
  });
}
