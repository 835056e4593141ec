// SPDX-License-Identifier: GPL-2.0-or-later
// lvs_support: an LVS direct-routing real server holds the service address on lo; the node that takes the
// address over removes it from lo on start and puts it back on stop (heartbeat's remove_conflicting_loopback /
// restore_loopback, with the saved address in a state file).
import { readState, removeState, stateDir, writeState } from '../../lib/state.js';
import { holders } from './findif.js';
import { addArgs, deleteAddress } from './ip.js';
import type { Link } from './ip-json.js';
import type { Ctx } from './params.js';
type Saved = { readonly prefix: number; readonly broadcast?: string; readonly label?: string };

export async function removeFromLoopback(ctx: Ctx, links: readonly Link[], ip: string, file: string): Promise<void> {
  const onLo = holders(links, 4, ip).find((h) => h.link.name === 'lo');
  if (!onLo) return;
  const { prefix, broadcast, label } = onLo.address;
  const saved: Saved = { prefix, ...(broadcast && { broadcast }), ...(label && label !== 'lo' && { label }) };
  await writeState(stateDir(ctx.env), file, `${JSON.stringify(saved)}\n`);
  await deleteAddress(ctx.exec, 4, ip, prefix, 'lo');
  ctx.log.info('removed the address from lo (lvs_support)', { ip, prefix });
}

export async function restoreLoopback(ctx: Ctx, ip: string, file: string): Promise<void> {
  const text = await readState(stateDir(ctx.env), file);
  if (text === undefined) return;
  let saved: Saved;
  try {
    saved = JSON.parse(text) as Saved;
  } catch {
    await removeState(stateDir(ctx.env), file);
    return;
  }
  const args = addArgs({
    family: 4,
    ip,
    prefix: saved.prefix,
    broadcast: saved.broadcast || undefined,
    nic: 'lo',
    label: saved.label || undefined,
    nodad: false,
    noprefixroute: false,
    preferredLft: 'forever',
  });
  const result = await ctx.exec.run('ip', args);
  // a failed restore must not fail the stop (that would fence the node); the real server's own setup repairs it
  if (result.ok || /File exists/.test(result.stderr)) ctx.log.info('restored the address on lo (lvs_support)', { ip });
  else ctx.log.warn('could not restore the address on lo', { ip, stderr: result.stderr.trim() });
  await removeState(stateDir(ctx.env), file);
}
