// SPDX-License-Identifier: GPL-2.0-or-later
// The tsha command line (the agents themselves never load yargs). No #! line: it runs through the /bin/sh shim
// scripts/install.sh writes, which names node by its absolute path.
import { fileURLToPath } from 'node:url';
import yargs, { type CommandModule } from 'yargs';
import { hideBin } from 'yargs/helpers';
import { agentNames, loadAgent } from '../agents/index.js';
import type { AnyAgent } from '../lib/ocf/agent.js';
import { exitName } from '../lib/ocf/exit-codes.js';
import { DEFAULT_EXIT_REASON_PREFIX, parseExitReasons } from '../lib/ocf/exit-reason.js';
import { VERSION } from '../lib/version.js';
import { labCommand } from './lab/command.js';

/** name=value pairs from repeated -p / -m options. */
export function parsePairs(values: readonly string[] | undefined, what: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of values ?? []) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new Error(`${what} \`${pair}\` is not name=value`);
    out[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return out;
}

/** The environment Pacemaker's executor gives an OCF agent (pacemaker 2.1.5 services_linux.c). */
export function pacemakerEnv(options: {
  agent: string;
  instance: string;
  params: Record<string, string>;
  meta: Record<string, string>;
  inherit: NodeJS.ProcessEnv;
}): Record<string, string> {
  const env: Record<string, string> = {
    OCF_ROOT: '/usr/lib/ocf',
    OCF_RA_VERSION_MAJOR: '1',
    OCF_RA_VERSION_MINOR: '1',
    OCF_RESOURCE_INSTANCE: options.instance,
    OCF_RESOURCE_TYPE: options.agent,
    OCF_RESOURCE_PROVIDER: 'tsha',
    OCF_EXIT_REASON_PREFIX: DEFAULT_EXIT_REASON_PREFIX,
    OCF_RESKEY_CRM_meta_timeout: '20000',
    LC_ALL: 'C',
  };
  for (const name of ['PATH', 'HA_debug', 'HA_RSCTMP', 'OCF_CHECK_LEVEL']) {
    const value = options.inherit[name];
    if (value !== undefined) env[name] = value;
  }
  for (const [k, v] of Object.entries(options.params)) env[`OCF_RESKEY_${k}`] = v;
  for (const [k, v] of Object.entries(options.meta)) env[`OCF_RESKEY_CRM_meta_${k.replace(/-/g, '_')}`] = v;
  return env;
}

async function runAction(argv: { agent: string; action: string; p?: string[]; m?: string[]; instance?: string }): Promise<number> {
  const agent = await loadAgent(argv.agent);
  const env = pacemakerEnv({
    agent: agent.name,
    instance: argv.instance ?? `${agent.name.toLowerCase()}-test`,
    params: parsePairs(argv.p, 'parameter'),
    meta: parsePairs(argv.m, 'meta attribute'),
    inherit: process.env,
  });
  const main = fileURLToPath(new URL(`../agents/${agent.name}/main.js`, import.meta.url));
  const timeoutMs = Number(env.OCF_RESKEY_CRM_meta_timeout);
  const { execa } = await import('execa');
  const child = execa(process.execPath, [main, argv.action], {
    env,
    extendEnv: false,
    reject: false,
    detached: true, // its own process group, which Pacemaker kills whole at the timeout
    stdout: 'inherit',
    stderr: ['inherit', 'pipe'],
  });
  const timer = setTimeout(() => {
    if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
  }, timeoutMs);
  const result = await child;
  clearTimeout(timer);
  const rc = result.exitCode ?? 1;
  const { reason } = parseExitReasons(String(result.stderr ?? ''));
  const killed = result.signal ? ` (killed by ${result.signal} at the ${timeoutMs} ms timeout)` : '';
  console.log(`rc=${rc} ${exitName(rc)}${killed}${reason ? `: ${reason}` : ''}`);
  return rc;
}

const listCommand: CommandModule<object, object> = {
  command: 'list',
  describe: 'list the agents',
  handler: () => {
    for (const name of agentNames) console.log(`ocf:tsha:${name}`);
  },
};

/** A command printing what a renderer (loaded when the command runs) makes of an agent's declaration. */
function agentPrintCommand(verb: string, describe: string, renderer: () => Promise<(agent: AnyAgent) => string>): CommandModule<object, { agent: string }> {
  return {
    command: `${verb} <agent>`,
    describe,
    builder: (y) => y.positional('agent', { type: 'string', demandOption: true }),
    handler: async (argv) => {
      const render = await renderer();
      process.stdout.write(render(await loadAgent(argv.agent)));
    },
  };
}

const metaDataCommand = agentPrintCommand('meta-data', "print an agent's meta-data XML", async () => (await import('../lib/ocf/metadata.js')).renderMetadata);
const manCommand = agentPrintCommand('man', "print an agent's man page (roff; pipe it into `man -l -`)", async () => (await import('../lib/ocf/man.js')).renderMan);

type RunArgs = { agent: string; action: string; p: string[] | undefined; m: string[] | undefined; instance: string | undefined };

const runCommand: CommandModule<object, RunArgs> = {
  command: 'run <agent> <action>',
  describe: 'run an action the way Pacemaker does and print its OCF exit code',
  builder: (y) =>
    y
      .positional('agent', { type: 'string', demandOption: true })
      .positional('action', { type: 'string', demandOption: true })
      .option('p', { alias: 'param', type: 'string', array: true, describe: 'instance parameter name=value' })
      .option('m', { alias: 'meta', type: 'string', array: true, describe: 'meta attribute name=value (timeout, interval in ms)' })
      .option('instance', { type: 'string', describe: 'OCF_RESOURCE_INSTANCE' }),
  handler: async (argv) => {
    process.exitCode = await runAction(argv);
  },
};

/** The commands, declared once: for yargs here and for the tsha(8) page (scripts/gen-man.ts). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each command types its own arguments
export const tshaCommands: readonly CommandModule<object, any>[] = [listCommand, metaDataCommand, manCommand, runCommand, labCommand];

async function main(): Promise<void> {
  await yargs(hideBin(process.argv))
    .scriptName('tsha')
    .version(VERSION)
    .strict()
    .demandCommand(1, 'name a command')
    .command([...tshaCommands])
    .fail((message, error) => {
      console.error(`tsha: ${error?.message ?? message}`);
      process.exit(2);
    })
    .help()
    .parseAsync();
}

if (process.argv[1] && fileURLToPath(import.meta.url) === (await import('node:fs')).realpathSync(process.argv[1])) {
  await main();
}
