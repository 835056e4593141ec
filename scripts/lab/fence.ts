// SPDX-License-Identifier: GPL-2.0-or-later
// fence_tsha_lab: a fence agent (fence-agents API: options as name=value lines on stdin, or -o/-n on the command
// line) for lab nodes. It runs inside a surviving node, whose PID namespace cannot see the victim's processes; it
// asks the victim's init (the node's power switch, which nothing inside that node can kill) to cut the node's
// links and kill everything, and it reads the power state from the `alive` lock that init holds while it runs.
import { constants, promises as fs } from 'node:fs';
import path from 'node:path';
import { controlFiles } from './plan.js';
import { isLocked, poll } from './sys.js';

export type FenceOptions = {
  readonly action: string;
  readonly plug: string | undefined;
  readonly labDir: string | undefined;
  /** Seconds to wait for a node to go off. */
  readonly powerTimeout: number;
};

export type FenceResult = { readonly rc: number; readonly stdout: string; readonly stderr: string };

const ALIASES: Record<string, keyof FenceOptions> = {
  action: 'action',
  option: 'action', // the fence-agents name before `action`
  o: 'action',
  plug: 'plug',
  port: 'plug',
  n: 'plug',
  lab_dir: 'labDir',
  'lab-dir': 'labDir',
  power_timeout: 'powerTimeout',
  'power-timeout': 'powerTimeout',
};

/** Options from stdin lines (how Pacemaker calls agents) and then the command line, which wins. */
export function parseFenceOptions(argv: readonly string[], stdin: string): FenceOptions {
  const raw: Partial<Record<keyof FenceOptions, string>> = {};
  for (const line of stdin.split('\n')) {
    const m = /^\s*([\w-]+)\s*=\s*(.*?)\s*$/.exec(line);
    const key = m && ALIASES[m[1] as string];
    if (m && key) raw[key] = m[2] as string;
  }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const m = /^--?([\w-]+)(?:=(.*))?$/.exec(arg);
    if (!m) {
      raw.action ??= arg; // `fence_tsha_lab metadata`
      continue;
    }
    const key = ALIASES[m[1] as string];
    const value = m[2] ?? argv[++i];
    if (key && value !== undefined) raw[key] = value;
  }
  const timeout = Number(raw.powerTimeout ?? '20');
  return {
    action: raw.action ?? 'off',
    plug: raw.plug,
    labDir: raw.labDir,
    powerTimeout: Number.isFinite(timeout) && timeout > 0 ? timeout : 20,
  };
}

export const FENCE_METADATA = `<?xml version="1.0" ?>
<resource-agent name="fence_tsha_lab" shortdesc="Fence agent for tsha lab nodes">
<longdesc>fence_tsha_lab powers off a node of a tsha lab (a Pacemaker node made of namespaces on one machine): the node's init cuts its links and kills every process of the node. A node comes back only from the host, with \`tsha lab boot NODE\`; reboot therefore leaves the node off.</longdesc>
<vendor-url>https://github.com/tsha</vendor-url>
<parameters>
	<parameter name="action" unique="0" required="1">
		<getopt mixed="-o, --action=[action]" />
		<content type="string" default="off" />
		<shortdesc lang="en">Fencing action</shortdesc>
	</parameter>
	<parameter name="plug" unique="0" required="0" obsoletes="port">
		<getopt mixed="-n, --plug=[node]" />
		<content type="string" />
		<shortdesc lang="en">The lab node to act on (fo1, fo2, ...)</shortdesc>
	</parameter>
	<parameter name="port" unique="0" required="0" deprecated="1">
		<getopt mixed="-n, --plug=[node]" />
		<content type="string" />
		<shortdesc lang="en">The lab node to act on</shortdesc>
	</parameter>
	<parameter name="lab_dir" unique="0" required="1">
		<getopt mixed="--lab-dir=[path]" />
		<content type="string" />
		<shortdesc lang="en">The lab folder, /var/lib/tsha-lab/NAME</shortdesc>
	</parameter>
	<parameter name="power_timeout" unique="0" required="0">
		<getopt mixed="--power-timeout=[seconds]" />
		<content type="second" default="20" />
		<shortdesc lang="en">Seconds to wait for the node to be off</shortdesc>
	</parameter>
</parameters>
<actions>
	<action name="off" />
	<action name="reboot" />
	<action name="status" />
	<action name="list" />
	<action name="monitor" />
	<action name="metadata" />
	<action name="validate-all" />
</actions>
</resource-agent>
`;

const ok = (stdout = ''): FenceResult => ({ rc: 0, stdout, stderr: '' });
const fail = (stderr: string, rc = 1): FenceResult => ({ rc, stdout: '', stderr: `${stderr}\n` });

async function isDir(p: string): Promise<boolean> {
  return fs.stat(p).then(
    (s) => s.isDirectory(),
    () => false,
  );
}

/** Runs one fence action. Exit codes as fence-agents: 0 success (status: on), 2 status off, 1 failure. */
export async function fence(options: FenceOptions): Promise<FenceResult> {
  const { action, plug, labDir } = options;
  if (action === 'metadata') return ok(FENCE_METADATA);
  if (!labDir) return fail('fence_tsha_lab: missing lab_dir (the lab folder, /var/lib/tsha-lab/NAME)');
  const nodesDir = path.join(labDir, 'nodes');
  if (action === 'monitor') return (await isDir(nodesDir)) ? ok() : fail(`fence_tsha_lab: no lab in ${labDir}`);
  if (action === 'list') {
    const nodes = await fs.readdir(nodesDir).catch(() => undefined);
    return nodes ? ok(nodes.sort().map((n) => `${n}\n`).join('')) : fail(`fence_tsha_lab: no lab in ${labDir}`);
  }
  if (action === 'validate-all' && plug === undefined) return (await isDir(nodesDir)) ? ok() : fail(`fence_tsha_lab: no lab in ${labDir}`);
  if (!plug || !/^[\w.-]+$/.test(plug)) return fail(`fence_tsha_lab: missing or bad plug \`${plug ?? ''}\``);
  const nodeDir = path.join(nodesDir, plug);
  if (!(await isDir(nodeDir))) return fail(`fence_tsha_lab: lab ${labDir} has no node \`${plug}\``);
  if (action === 'validate-all') return ok();
  const files = controlFiles(nodeDir);
  switch (action) {
    case 'status':
      return (await isLocked(files.alive)) ? ok('Status: ON\n') : { rc: 2, stdout: 'Status: OFF\n', stderr: '' };
    case 'off':
    case 'reboot': {
      if (!(await isLocked(files.alive))) return ok(`${plug} is off\n`);
      const handle = await fs.open(files.powerOff, constants.O_WRONLY | constants.O_CREAT, 0o644);
      await handle.close();
      const off = await poll(options.powerTimeout * 1000, async () => ((await isLocked(files.alive)) ? undefined : true), 100);
      if (off) return ok(`${plug} powered off${action === 'reboot' ? ' (it stays off until `tsha lab boot`)' : ''}\n`);
      return fail(`fence_tsha_lab: ${plug} still on after ${options.powerTimeout} s`);
    }
    case 'on':
      return fail(`fence_tsha_lab: a lab node is powered on from the host: tsha lab boot ${plug}`);
    default:
      return fail(`fence_tsha_lab: unknown action \`${action}\``);
  }
}
