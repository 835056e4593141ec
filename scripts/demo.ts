// SPDX-License-Identifier: GPL-2.0-or-later
// `make demo`: the seed's two failover servers fo1 and fo2 with the tsha agents, in a lab on this machine (network,
// mount, UTS and PID namespaces; DRBD simulated). It runs the seed's scripts, shows the cluster as the seed does,
// crashes the active node and shows the other one take over, times the faults the event watch reports, then tears
// everything down (KEEP=1 keeps it).
import {
  DATA_DIR,
  applyPcs,
  fetchPage,
  mailCount,
  newMails,
  placement,
  prepareData,
  readDataset,
  seedLabUp,
  seedFirstScript,
  seedWebScript,
  servedBy,
  shellLine,
  waitDrbdInSync,
  waitMail,
  waitServedBy,
  waitSettled,
  writeDataset,
} from './cluster/cluster.js';
import { FAULTS, runFault } from './cluster/faults.js';
import { CLUSTER_IP, boot, crash, labDown, logTails, type LabHandle } from './lab/index.js';
import { FENCE_DELAY } from './lab/render.js';
import { header, ensurePostfix } from './mta.js';

const NAME = 'fo';
const keep = process.env.KEEP === '1';
const started = Date.now();
const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const step = (title: string) => console.log(`\n== ${title}`);
const indent = (text: string) => text.trimEnd().split('\n').map((l) => `   ${l}`).join('\n');

/** Runs argv on a node and prints it as typed and its output; `from` keeps the output from that line on. */
async function show(lab: LabHandle, node: string, argv: readonly string[], from?: RegExp, until?: RegExp): Promise<string> {
  // `until`: what a settled output shows; crm_mon may still list an operation under way (`(Monitoring)`) for a moment
  const end = Date.now() + 15_000;
  let result = await lab.exec(node, argv, { reject: false, timeoutMs: 20_000 });
  while (until && !until.test(result.stdout) && Date.now() < end) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    result = await lab.exec(node, argv, { reject: false, timeoutMs: 20_000 });
  }
  let text = result.stdout || result.stderr;
  const at = from ? text.search(from) : -1;
  if (at > 0) text = `...\n${text.slice(at)}`;
  console.log(`${node}# ${shellLine(argv)}\n${indent(text)}`);
  return result.stdout;
}

async function main(): Promise<boolean> {
  const checks: [string, boolean][] = [];
  const check = (what: string, ok: boolean) => {
    checks.push([what, ok]);
    if (!ok) console.log(`   !! ${what}: FAILED`);
  };
  await ensurePostfix();
  const mailsBefore = await mailCount();

  step('1. lab: fo1, fo2 and a client in namespaces; DRBD resource drbddata (/dev/drbd1) on eth2');
  const lab = await seedLabUp(NAME);
  const [fo1, fo2] = lab.plan.nodes.map((n) => n.name) as [string, string];
  console.log(`   corosync + pacemaker on ${fo1}, ${fo2}: both online after ${s(lab.upMs)} (fencing: fence_tsha_lab)`);
  await prepareData(lab, fo1);
  console.log(`   /dev/drbd1 formatted XFS once (on ${fo1}, Primary for the occasion), page written to ${DATA_DIR}/www/index.html`);

  step(`2. the seed's first script with ocf:tsha agents, then its web part and ClusterMailTo (run on ${fo1})`);
  const lines = [...seedFirstScript(), ...seedWebScript()];
  for (const line of lines) console.log(`   ${shellLine(line)}`);
  const applied = Date.now();
  await applyPcs(lab, fo1, lines);
  const { node: active } = await waitSettled(lab, { timeoutMs: 90_000 });
  const passive = active === fo1 ? fo2 : fo1;
  console.log(`   every resource Started on ${active} after ${s(Date.now() - applied)}`);

  step('3. the cluster as the seed shows it');
  const settled = (promoted: string, unpromoted: string) => new RegExp(`Promoted: \\[ ${promoted} \\]\\n\\s*\\* Unpromoted: \\[ ${unpromoted} \\]`);
  const mon = await show(lab, active, ['crm_mon', '-1'], undefined, settled(active, passive));
  check('crm_mon shows one Promoted and one Unpromoted', settled(active, passive).test(mon));
  const ip = await show(lab, active, ['ip', '-4', 'addr', 'show', 'dev', 'eth1']);
  check('eth1 carries the cluster address labelled eth1:ethcl1', ip.includes(`inet ${CLUSTER_IP}/24`) && ip.includes('eth1:ethcl1'));
  const df = await show(lab, active, ['df', '-h', DATA_DIR]);
  check('/data is /dev/drbd1', df.includes('/dev/drbd1'));
  const page = await fetchPage(NAME);
  console.log(`client$ curl http://${CLUSTER_IP}/\n${indent(page ?? '(no answer)')}`);
  check(`the client is served by ${active}`, servedBy(page) === active);
  await waitMail(mailsBefore, new RegExp(`^FailOver_Home .* ${active}$`)).catch(() => undefined);

  step(`4. a data set on ${DATA_DIR}, then ${active} crashes`);
  await waitDrbdInSync(lab.plan, passive);
  const sums = await writeDataset(lab, active, 'demo');
  console.log(`${active}# sha256sum ${DATA_DIR}/demo/*\n${indent(sums)}`);
  const mailsAtCrash = await mailCount();
  const crashed = Date.now();
  await crash(active, { name: NAME });
  console.log(`   ${active} powered off at once (all its processes killed, links gone)`);
  const served = await waitServedBy(NAME, passive, crashed, 90_000);
  console.log(`   crash → client served by ${passive}: ${s(served.ms)}` + (active === fo1 ? ` (of which ${FENCE_DELAY} is the lab's delay on fencing ${fo1}, which makes it win a split)` : ''));
  await waitSettled(lab, { from: passive, peers: [], timeoutMs: 60_000 });
  await show(lab, passive, ['crm_mon', '-1'], /^Node List:/m);
  console.log(`client$ curl http://${CLUSTER_IP}/\n${indent(served.page)}`);
  check(`the client is served by ${passive}`, servedBy(served.page) === passive);
  const after = await readDataset(lab, passive, 'demo');
  const intact = after === sums;
  console.log(`${passive}# sha256sum ${DATA_DIR}/demo/*   → ${intact ? 'the same 4 checksums: data intact' : `DIFFERENT:\n${indent(after)}`}`);
  check('the data set is intact after the failover', intact);
  await waitMail(mailsAtCrash, new RegExp(`^FailOver_Home .* ${passive}$`)).catch(() => undefined);

  step(`5. ${active} boots again; no node has the preference, so everything stays on ${passive}`);
  const booted = Date.now();
  await boot(active, { name: NAME });
  await waitSettled(lab, { from: passive, peers: [active], timeoutMs: 90_000 });
  const p = await placement(NAME, passive);
  console.log(`   ${active} back online after ${s(Date.now() - booted)}: ClusterDrbd Unpromoted there, Promoted on ${p?.promoted.join(' ')}`);
  const mon2 = await show(lab, passive, ['crm_mon', '-1'], /^Node List:/m, settled(passive, active));
  check(`resources stay on ${passive}`, settled(passive, active).test(mon2));
  check(`still served by ${passive}`, servedBy(await fetchPage(NAME)) === passive);

  step(`6. the event watch: faults on the active node, each timed to the client served again (the monitor intervals as the seed sets them)`);
  for (const fault of FAULTS.filter((f) => !f.name.includes('not ours'))) {
    const r = await runFault(lab, fault);
    const reported = r.failures.filter((f) => f.includes('_asyncmon_0'));
    console.log(`   ${fault.name}: ${r.failures.join(', ')} after ${s(r.detectedMs)}; client served by ${r.movedTo} after ${s(r.servedMs)}`);
    console.log(`     ${r.steps.map((st) => `${st.action} ${s(st.fromMs)}-${s(st.toMs)}`).join('; ') || '(no action: the client was served throughout)'}`);
    check(`${fault.name}: reported by the event watch (an asyncmon failure), before any monitor`, reported.length > 0);
  }

  step('7. the FailOver_Home mails (postfix on this machine delivered them to /var/mail/root)');
  const mails = await newMails(mailsBefore);
  for (const mail of mails) console.log(`   ${header(mail, 'Date') ?? ''}  Subject: ${header(mail, 'Subject') ?? ''}`);
  check(`a start mail from ${active} and one from ${passive}`, mails.some((m) => (header(m, 'Subject') ?? '').endsWith(active)) && mails.some((m) => (header(m, 'Subject') ?? '').endsWith(passive)));

  if (keep) {
    step('KEEP=1: the lab stays up');
    console.log(
      [
        `   look around:  tsha lab status --name ${NAME}`,
        `                 tsha lab exec ${passive} -- crm_mon -1`,
        `                 tsha lab exec client -- curl http://${CLUSTER_IP}/`,
        `                 tsha lab crash ${passive}; tsha lab boot ${passive}; cat /var/mail/root`,
        `   tear down:    tsha lab down --name ${NAME}`,
      ].join('\n'),
    );
  } else {
    step('8. teardown');
    const down = await lab.down();
    console.log(`   lab ${NAME} down: ${down.namespaces.length} namespaces, ${down.loops.length} loop device(s) removed`);
  }
  const failed = checks.filter(([, ok]) => !ok).map(([what]) => what);
  const verdict = failed.length === 0;
  console.log(
    verdict
      ? `\nverdict: OK, ${active} crashed and ${passive} served the client after ${s(served.ms)} with the data intact (${checks.length} checks, ${s(Date.now() - started)} in all)`
      : `\nverdict: FAILED (${failed.join('; ')})`,
  );
  return verdict;
}

let ok = false;
try {
  ok = await main();
} catch (error) {
  console.log(`\n${(error as Error).message}`);
  console.log(await logTails({ name: NAME }, 20).catch(() => ''));
  if (!keep) await labDown({ name: NAME }).catch(() => undefined);
  console.log('\nverdict: FAILED (see above)');
}
process.exitCode = ok ? 0 : 1;
