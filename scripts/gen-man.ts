// SPDX-License-Identifier: GPL-2.0-or-later
// Writes the man pages into a man folder: man7/ocf_tsha_<Agent>.7 from each agent's declaration (lib/ocf/man.ts)
// and man8/tsha.8 from the tsha command's own yargs declarations (scripts/tsha.ts), so neither can drift from the
// code. scripts/install.sh runs it, so `make install` and both packages ship pages of the code they install.
//   node dist/scripts/gen-man.js DIR     (DIR: e.g. /usr/share/man)
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CommandModule, Options, PositionalOptions } from 'yargs';
import { agentNames, loadAgent } from '../agents/index.js';
import { renderMan, roff } from '../lib/ocf/man.js';
import { VERSION } from '../lib/version.js';
import { tshaCommands } from './tsha.js';

type OptionDoc = { readonly name: string; readonly spec: Options };
/** A command as its yargs declaration describes it, subcommands included. */
export type CommandDoc = {
  readonly usage: string;
  readonly describe: string;
  readonly positionals: readonly { readonly name: string; readonly spec: PositionalOptions }[];
  readonly options: readonly OptionDoc[];
  readonly commands: readonly CommandDoc[];
};

/**
 * Reads a command's declaration by running its builder against a recorder that stands in for yargs' Argv: every
 * call is noted (command, option, positional) and returns the recorder, so chained builders run to the end.
 */
export function describeCommand(module: CommandModule<object, unknown>): CommandDoc {
  const positionals: { name: string; spec: PositionalOptions }[] = [];
  const options: OptionDoc[] = [];
  const commands: CommandDoc[] = [];
  const recorder: object = new Proxy(
    {},
    {
      get: (_target, method) =>
        (...args: unknown[]) => {
          if (method === 'positional') positionals.push({ name: String(args[0]), spec: (args[1] ?? {}) as PositionalOptions });
          if (method === 'option' || method === 'options') options.push({ name: String(args[0]), spec: (args[1] ?? {}) as Options });
          if (method === 'command') {
            const [first, describe, builder] = args;
            const sub = typeof first === 'object' ? (first as CommandModule<object, unknown>) : ({ command: first, describe, builder, handler: () => {} } as CommandModule<object, unknown>);
            commands.push(describeCommand(sub));
          }
          return recorder;
        },
    },
  );
  const { builder } = module;
  if (typeof builder === 'function') (builder as (y: object) => unknown)(recorder);
  else for (const [name, spec] of Object.entries(builder ?? {})) options.push({ name, spec: spec as Options });
  const usage = Array.isArray(module.command) ? String(module.command[0]) : String(module.command ?? '');
  return { usage, describe: typeof module.describe === 'string' ? module.describe : '', positionals, options, commands };
}

/** `meta-data <agent>` → bold command words, italic arguments, `[x..]` as `[x ...]`. */
function usageRoff(prefix: string, usage: string): string {
  const words = usage.split(' ').filter(Boolean);
  const plain = words.filter((w) => !/^[<[]/.test(w));
  const args = words
    .filter((w) => /^[<[]/.test(w))
    .map((w) => {
      const variadic = /\.\.[>\]]$/.test(w);
      const name = w.slice(1, variadic ? -3 : -1);
      const text = `\\fI${name}\\fR${variadic ? ' ...' : ''}`;
      return w.startsWith('[') ? `[${text}]` : text;
    });
  return [`\\fB${[prefix, ...plain].join(' ').replace(/-/g, '\\-')}\\fR`, ...args].join(' ');
}

function optionRoff({ name, spec }: OptionDoc): string[] {
  const names = [name, ...[spec.alias ?? []].flat()].map((n) => `\\fB${n.length === 1 ? '\\-' : '\\-\\-'}${n.replace(/-/g, '\\-')}\\fR`);
  const value = spec.type === 'boolean' ? '' : ` \\fI${spec.type ?? 'value'}\\fR${spec.array ? ' ...' : ''}`;
  const facts = [spec.describe ? roff(spec.describe) : ''];
  if (spec.choices) facts.push(`one of ${spec.choices.join(', ')}`);
  if (spec.default !== undefined) facts.push(`default ${String(spec.default)}`);
  return ['.TP', `${names.join(', ')}${value}`, facts.filter(Boolean).join('; ') || '.'];
}

function commandRoff(prefix: string, doc: CommandDoc): string[] {
  const out: string[] = [];
  if (doc.commands.length === 0) {
    out.push('.TP', usageRoff(prefix, doc.usage), roff(doc.describe));
    const choices = doc.positionals.filter((p) => p.spec.choices);
    for (const p of choices) out.push('.br', `\\fI${p.name}\\fR: one of ${(p.spec.choices ?? []).join(', ')}`);
    if (doc.options.length > 0) out.push('.RS', ...doc.options.flatMap(optionRoff), '.RE');
    return out;
  }
  // a command with subcommands: its options apply to each of them
  const name = `${prefix} ${doc.usage}`;
  out.push('.SS', `\\fB${name}\\fR: ${roff(doc.describe)}`);
  for (const sub of doc.commands) out.push(...commandRoff(name, sub));
  return out;
}

export function renderTshaMan(commands: readonly CommandModule<object, unknown>[], agents: readonly string[], version: string): string {
  const docs = commands.map(describeCommand);
  const simple = docs.filter((d) => d.commands.length === 0);
  const nested = docs.filter((d) => d.commands.length > 0);
  return [
    `.TH TSHA 8 "" "tsha ${version}" "System Administration"`,
    '.SH NAME',
    'tsha \\- Pacemaker OCF resource agents in TypeScript: list, document and run them',
    '.SH SYNOPSIS',
    '\\fBtsha\\fR \\fIcommand\\fR [\\fIargument\\fR ...] [\\fIoption\\fR ...]',
    '.br',
    '\\fBtsha \\-\\-help\\fR | \\fBtsha \\-\\-version\\fR',
    '.SH DESCRIPTION',
    `tsha provides the OCF resource agents ${agents.map((a) => `\\fBocf:tsha:${a}\\fR`).join(', ')}, drop-in replacements for the`,
    'resource-agents and LINBIT agents of the same names, for Pacemaker clusters managed with pcs or crmsh.',
    'The \\fBtsha\\fR command lists the agents, prints their meta-data and manuals, runs one action the way',
    "Pacemaker's executor does, and builds a test cluster out of namespaces on this machine (the lab).",
    '.SH COMMANDS',
    ...simple.flatMap((d) => commandRoff('tsha', d)),
    ...nested.flatMap((d) => commandRoff('tsha', d)),
    '.SH OPTIONS',
    '.TP',
    '\\fB\\-\\-help\\fR',
    'Show the commands, or a command\'s arguments and options.',
    '.TP',
    '\\fB\\-\\-version\\fR',
    'Show the version of tsha.',
    '.SH EXIT STATUS',
    '\\fBtsha run\\fR exits with the OCF exit code of the action. Any command exits 2, with a message on standard',
    'error, when it cannot read its command line or fails (an unknown agent, for one); 0 otherwise.',
    '.SH FILES',
    '.TP',
    '\\fI/usr/lib/ocf/resource.d/tsha/\\fR',
    `The agents (${agents.join(', ')}), each a small shell script that runs Node.js on the agent's bundle.`,
    '.TP',
    '\\fI/usr/lib/tsha/\\fR',
    'The compiled agents and runtime, and the Node.js modules they use.',
    '.SH SEE ALSO',
    [...agents.map((a) => `\\fBocf_tsha_${a}\\fR(7)`), '\\fBpcs\\fR(8)', '\\fBcrm\\fR(8)', '\\fBcrm_resource\\fR(8)', '\\fBocf\\-tester\\fR(8)'].join(', '),
    '',
  ].join('\n');
}

/** The pages' paths under a man folder, relative: man7/ocf_tsha_<Agent>.7 for each agent, man8/tsha.8. */
export function manPages(agents: readonly string[] = agentNames): string[] {
  return [...agents.map((a) => `man7/ocf_tsha_${a}.7`), 'man8/tsha.8'];
}

async function main(dir: string): Promise<void> {
  await mkdir(path.join(dir, 'man7'), { recursive: true });
  await mkdir(path.join(dir, 'man8'), { recursive: true });
  for (const name of agentNames) await writeFile(path.join(dir, 'man7', `ocf_tsha_${name}.7`), renderMan(await loadAgent(name)));
  await writeFile(path.join(dir, 'man8', 'tsha.8'), renderTshaMan(tshaCommands, agentNames, VERSION));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === (await import('node:fs')).realpathSync(process.argv[1])) {
  const dir = process.argv[2];
  if (!dir) {
    console.error('usage: gen-man.js DIR');
    process.exit(2);
  }
  await main(dir);
}
