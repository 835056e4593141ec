// SPDX-License-Identifier: GPL-2.0-or-later
// `tsha lab ...`: the yargs command. Light on purpose: the lab itself (execa and all) loads in the handlers only.
import type { Argv, CommandModule } from 'yargs';
import { DEFAULT_NAME, DEFAULT_NODES, MAX_NODES, MIN_NODES } from './plan.js';

const nameOption = <T>(y: Argv<T>) => y.option('name', { type: 'string', describe: `lab name (default ${DEFAULT_NAME}; node commands infer it from the node)` });
const lab = () => import('./lab.js');

function fmtStatus(status: Awaited<ReturnType<Awaited<ReturnType<typeof lab>>['labStatus']>>): string {
  const lines = [`lab ${status.plan.name}: ${status.plan.nodes.length} nodes, folder ${status.plan.dir}, logs ${status.plan.logDir}`];
  for (const n of status.nodes) {
    lines.push(`  ${n.name.padEnd(6)} ${n.power.padEnd(4)} eth1 ${n.clientIp} ${n.links.eth1.padEnd(6)} eth2 ${n.replIp} ${n.links.eth2}`);
  }
  const c = status.cluster;
  if (c) {
    lines.push(`cluster: DC ${c.dc ?? 'none'}, ${c.quorum ? 'with' : 'without'} quorum, online: ${c.nodes.filter((n) => n.online).map((n) => n.name).join(' ') || 'none'}`);
    for (const r of c.resources) lines.push(`  ${r.id} (${r.agent}): ${r.active ? `${r.role} on ${r.nodes.join(' ')}` : 'Stopped'}${r.failed ? ' FAILED' : ''}`);
  } else {
    lines.push(`cluster: ${status.error ?? 'unknown'}`);
  }
  return lines.join('\n');
}

export const labCommand: CommandModule = {
  command: 'lab',
  describe: 'a real Pacemaker/Corosync cluster of namespaces on this machine (root)',
  builder: (y) =>
    y
      .command(
        'up',
        'create a lab, wait for every node online',
        (b) => nameOption(b).option('nodes', { type: 'number', default: DEFAULT_NODES, describe: `${MIN_NODES} to ${MAX_NODES}` }).option('timeout', { type: 'number', default: 120, describe: 'seconds to wait for every node online' }),
        async (argv) => {
          const l = await lab();
          const handle = await l.labUp({ nodes: argv.nodes, ...(argv.name ? { name: argv.name } : {}), timeoutMs: argv.timeout * 1000, log: (line) => console.log(line) });
          console.log(fmtStatus(await l.labStatus({ name: handle.plan.name })));
        },
      )
      .command(
        'down',
        'stop and delete a lab (its logs stay)',
        (b) => nameOption(b),
        async (argv) => {
          const report = await (await lab()).labDown(argv.name ? { name: argv.name } : {});
          console.log(`deleted ${report.namespaces.length} namespaces, killed ${report.killed} processes, detached ${report.loops.length} loop devices, unmounted ${report.mounts.length} mounts`);
        },
      )
      .command(
        'status',
        'nodes, links and crm_mon\'s view',
        (b) => nameOption(b),
        async (argv) => {
          console.log(fmtStatus(await (await lab()).labStatus(argv.name ? { name: argv.name } : {})));
        },
      )
      .command(
        'exec <node> [command..]',
        'run a command in a node or `client`',
        (b) => nameOption(b).parserConfiguration({ 'populate--': true, 'unknown-options-as-args': true }).positional('node', { type: 'string', demandOption: true }).positional('command', { type: 'string', array: true }),
        async (argv) => {
          const rest = [...((argv.command as string[] | undefined) ?? []), ...(((argv as Record<string, unknown>)['--'] as string[] | undefined) ?? [])].map(String);
          const [file, args] = await (await lab()).execArgv(argv.node, rest, argv.name ? { name: argv.name } : {});
          const { execa } = await import('execa');
          const result = await execa(file, args, { stdio: 'inherit', reject: false });
          process.exitCode = result.exitCode ?? 1;
        },
      )
      .command(
        'crash <node>',
        'power loss: kill the node, cut its links',
        (b) => nameOption(b).positional('node', { type: 'string', demandOption: true }),
        async (argv) => {
          await (await lab()).crash(argv.node, argv.name ? { name: argv.name } : {});
          console.log(`${argv.node} crashed`);
        },
      )
      .command(
        'cut <node> <nic>',
        'unplug eth1 (client) or eth2 (replication)',
        (b) => nameOption(b).positional('node', { type: 'string', demandOption: true }).positional('nic', { choices: ['eth1', 'eth2'], demandOption: true }),
        async (argv) => {
          await (await lab()).cut(argv.node, String(argv.nic), argv.name ? { name: argv.name } : {});
        },
      )
      .command(
        'heal <node> <nic>',
        'plug the link in again',
        (b) => nameOption(b).positional('node', { type: 'string', demandOption: true }).positional('nic', { choices: ['eth1', 'eth2'], demandOption: true }),
        async (argv) => {
          await (await lab()).heal(argv.node, String(argv.nic), argv.name ? { name: argv.name } : {});
        },
      )
      .command(
        'boot <node>',
        'power a crashed or fenced node on',
        (b) => nameOption(b).positional('node', { type: 'string', demandOption: true }).option('wait', { type: 'boolean', default: true, describe: 'wait until it is online' }),
        async (argv) => {
          await (await lab()).boot(argv.node, { ...(argv.name ? { name: argv.name } : {}), wait: argv.wait });
          console.log(`${argv.node} booted${argv.wait ? ' and online' : ''}`);
        },
      )
      .command(
        'logs [node]',
        'tails of the node logs',
        (b) => nameOption(b).positional('node', { type: 'string' }).option('lines', { type: 'number', default: 30 }),
        async (argv) => {
          const l = await lab();
          const name = argv.name ?? (argv.node ? l.labOfNode(argv.node) : undefined);
          console.log(await l.logTails(name ? { name } : {}, argv.lines, argv.node ? [argv.node] : undefined));
        },
      )
      .demandCommand(1, 'name a lab command'),
  handler: () => {},
};
