// SPDX-License-Identifier: GPL-2.0-or-later
// Every bad input answered right, by every installed agent and every action. The cases are generated from the
// agents' declarations (agent.params, agent.actions, agent.programs): a new parameter is covered without a new
// test. Each case runs the installed agent as Pacemaker does and checks its exit code against one rule function
// (expectedAnswer, below: the README's "Exit codes" section says what it says), one exit reason of at most 128
// characters where an error is returned and none on success, no stack trace, and that the system is unchanged.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, realpath, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { expect } from 'chai';
import { agentNames, loadAgent } from '../../agents/index.js';
import type { AnyAgent, ProgramNeed } from '../../lib/ocf/agent.js';
import { OcfExit } from '../../lib/ocf/exit-codes.js';
import { EXIT_REASON_MAX } from '../../lib/ocf/exit-reason.js';
import { findProgram } from '../../lib/binaries.js';
import { withSystemPath } from '../../lib/ocf/env.js';
import { parseParams, type ParamSpec } from '../../lib/ocf/params.js';
import { parseProcFilesystems } from '../../agents/Filesystem/fstypes.js';
import { entryDev } from '../../agents/Filesystem/mountinfo.js';
import { netnsPids } from '../../scripts/lab/sys.js';
import { ensurePostfix } from '../../scripts/mta.js';
import type { AgentRun } from '../helpers/agent.js';
import { blockDevNumber, createLoop, unmountAll, type LoopDevice } from '../../scripts/harness/loop.js';
import { inPool, installWrapper, processesMarked, runWrapped, treeListing, type WrappedRun } from '../helpers/inputs.js';
import { createLab, type NetnsLab } from '../helpers/netns.js';
import { SEED as IPADDR2_SEED } from './IPaddr2/lan.js';
import { readMountTable } from '../../agents/Filesystem/proc.js';

// ------------------------------------------------------------------------------------------------------------
// The rules

/** An action as a case runs it: monitor as a probe (interval 0) or recurring; validate-all at a check level. */
export type Act = 'start' | 'stop' | 'probe' | 'monitor' | 'promote' | 'demote' | 'notify' | 'reload' | 'validate-all' | 'validate-all@10' | 'meta-data';

/** What the case's input means, for the agent on this host. */
export type Verdict =
  /** A configuration that works here, of a resource that is stopped. */
  | { readonly kind: 'valid' }
  /** Refused by the declaration (a parameter that does not parse, a missing required one, a rule of configure()). */
  | { readonly kind: 'invalid' }
  /**
   * Well-formed, but names what this host lacks (an interface, a device, a file, a filesystem type, a DRBD
   * resource): `code` 5 or 6, checked by validate-all from `level`; `monitorLooks`: the monitor needs it to look
   * (else it finds the resource simply not running).
   */
  | { readonly kind: 'absent'; readonly code: 5 | 6; readonly level: 0 | 10; readonly monitorLooks: boolean }
  /** Well-formed, but the tool the start runs refuses it (mount options): only start fails. */
  | { readonly kind: 'tool-refuses' }
  /** A declared program is missing; `needed`: this action (at this level) needs it, as the declaration says. */
  | { readonly kind: 'no-program'; readonly needed: boolean; readonly stopWhenBroken: 'stopped' | 'failed' }
  | { readonly kind: 'unknown-action' }
  | { readonly kind: 'no-action' };

export type Answer = { readonly code: number; readonly reason: boolean };

const ok = (code: number): Answer => ({ code, reason: false });
const error = (code: number): Answer => ({ code, reason: true });

/**
 * How a valid, stopped resource answers each action: start brings it up (the case goes on with a recurring monitor
 * and a stop, which must answer 0), promote of a stopped instance fails, the rest find nothing to do. A host may
 * answer start otherwise for a reason of its own (`stoppedHere`: drbd without the kernel module).
 */
function stoppedAnswer(act: Act, stoppedHere: Partial<Record<Act, Answer>>): Answer {
  const here = stoppedHere[act];
  if (here) return here;
  switch (act) {
    case 'probe':
    case 'monitor':
      return ok(OcfExit.NOT_RUNNING);
    case 'promote':
      return error(OcfExit.ERR_GENERIC);
    default:
      return ok(OcfExit.SUCCESS);
  }
}

/**
 * An environment the action cannot work in (resource-agents' ocf-rarun handle_invalid_env): a stop answers what
 * the agent declared (0: nothing of the resource can run then), a probe 7 (5 or 6 would ban the node or stop the
 * resource everywhere), a recurring monitor 1 (6 would be fatal), notify 0 (it must), the rest the code itself.
 */
function brokenAnswer(act: Act, code: number, stopWhenBroken: 'stopped' | 'failed'): Answer {
  switch (act) {
    case 'stop':
      return stopWhenBroken === 'stopped' ? ok(OcfExit.SUCCESS) : error(OcfExit.ERR_GENERIC);
    case 'probe':
      return ok(OcfExit.NOT_RUNNING);
    case 'monitor':
      return error(OcfExit.ERR_GENERIC);
    case 'notify':
      return ok(OcfExit.SUCCESS);
    default:
      return error(code);
  }
}

/** The one rule: what an agent must answer to `act` given what its input means (the README's "Exit codes"). */
export function expectedAnswer(act: Act, verdict: Verdict, stoppedHere: Partial<Record<Act, Answer>> = {}): Answer {
  if (verdict.kind === 'no-action') return error(OcfExit.ERR_ARGS);
  if (verdict.kind === 'unknown-action') return error(OcfExit.ERR_UNIMPLEMENTED);
  if (act === 'meta-data') return ok(OcfExit.SUCCESS);
  switch (verdict.kind) {
    case 'valid':
      return stoppedAnswer(act, stoppedHere);
    case 'invalid':
      // parameters that do not parse describe no resource: its stop succeeds whatever the agent declared
      return brokenAnswer(act, OcfExit.ERR_CONFIGURED, 'stopped');
    case 'no-program':
      return verdict.needed ? brokenAnswer(act, OcfExit.ERR_INSTALLED, verdict.stopWhenBroken) : stoppedAnswer(act, stoppedHere);
    case 'tool-refuses':
      return act === 'start' ? error(OcfExit.ERR_GENERIC) : stoppedAnswer(act, stoppedHere);
    case 'absent': {
      const checks = act === 'start' || act === 'promote' || act === 'reload' || (act === 'validate-all' && verdict.level === 0) || act === 'validate-all@10';
      if (checks) return error(verdict.code);
      if (act === 'monitor' && verdict.monitorLooks) return brokenAnswer(act, verdict.code, 'stopped');
      return stoppedAnswer(act, stoppedHere);
    }
  }
}

// ------------------------------------------------------------------------------------------------------------
// The agents on this host: valid base parameters, a slot (an isolated place for one case at a time), what a
// snapshot of the slot's part of the system holds, and what well-formed values that name host objects mean here.

type Slot = {
  readonly dir: string;
  readonly base: Readonly<Record<string, string>>;
  readonly netns?: string;
  snapshot(): Promise<unknown>;
  /** Puts the slot back as it was after a case that changed it (the case has failed already). */
  reset(): Promise<void>;
};

type Fixture = {
  /** Base parameters of the same shape as a slot's, for declaring the cases before any slot exists. */
  readonly sampleBase: Readonly<Record<string, string>>;
  readonly meta?: Readonly<Record<string, string>>;
  readonly stoppedHere?: Partial<Record<Act, Answer>>;
  setup(count: number): Promise<{ slots: Slot[]; teardown(): Promise<void> }>;
  /**
   * Whether start's work lives in the mount namespace it ran in: a start under a hidden program runs in a private
   * one (see test/helpers/inputs.ts), so what it mounted is gone when it exits.
   */
  readonly startMounts?: boolean;
  /** A declared-valid configuration that names what this host lacks; undefined: it works here. */
  hostVerdict?(params: Readonly<Record<string, string>>, slot: Slot): Verdict | undefined;
};

const SLOTS = 4;

async function scratch(label: string): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), `tsha-inputs-${label}-`));
}

const IPADDR2: Fixture = {
  sampleBase: IPADDR2_SEED,
  async setup(count) {
    const lab: NetnsLab = await createLab('inputs');
    const root = await scratch('ipaddr2');
    const slots: Slot[] = [];
    for (let i = 0; i < count; i++) {
      // eth1 faces a peer namespace: a link with a carrier, and nothing else shares it
      const ns = await lab.addNamespace(`s${i}`);
      await lab.addNamespace(`p${i}`);
      await lab.addVeth({ ns: `s${i}`, name: 'eth1' }, { ns: `p${i}`, name: 'eth0' });
      await lab.ip(`s${i}`, 'addr', 'add', '192.168.1.11/24', 'brd', '+', 'dev', 'eth1');
      await lab.ip(`s${i}`, 'addr', 'add', '2001:db8:1::11/64', 'dev', 'eth1', 'nodad');
      const dir = path.join(root, `slot${i}`);
      await mkdir(dir);
      const addresses = async () => {
        const links = JSON.parse(await lab.ip(`s${i}`, '-j', 'addr', 'show')) as { ifname: string; addr_info: Record<string, unknown>[] }[];
        return links.map((l) => [l.ifname, l.addr_info.map((a) => `${String(a.local)}/${String(a.prefixlen)} ${String(a.label ?? '')} ${String(a.broadcast ?? '')}`).sort()]);
      };
      slots.push({
        dir,
        netns: ns,
        base: IPADDR2_SEED,
        snapshot: async () => ({ addresses: await addresses(), processes: await netnsPids(ns), files: await treeListing(dir) }),
        reset: async () => {
          for (const pid of await netnsPids(ns)) process.kill(pid, 'SIGKILL');
          await lab.ip(`s${i}`, 'addr', 'flush', 'dev', 'eth1');
          await lab.ip(`s${i}`, 'addr', 'add', '192.168.1.11/24', 'brd', '+', 'dev', 'eth1');
          await lab.ip(`s${i}`, 'addr', 'add', '2001:db8:1::11/64', 'dev', 'eth1', 'nodad');
          await lab.ip(`s${i}`, 'addr', 'flush', 'dev', 'lo');
          await lab.ip(`s${i}`, 'addr', 'add', '127.0.0.1/8', 'dev', 'lo');
        },
      });
    }
    return {
      slots,
      teardown: async () => {
        await lab.destroy();
        await rm(root, { recursive: true, force: true });
      },
    };
  },
  // an interface this namespace does not have: a configuration error here (as heartbeat's findif says), and the
  // monitor cannot look for the address without it
  hostVerdict(params) {
    const nic = params.nic?.split(':')[0];
    return nic !== undefined && nic !== '' && nic !== 'eth1' && nic !== 'lo' ? { kind: 'absent', code: 6, level: 0, monitorLooks: true } : undefined;
  },
};

// Mount options ext4 takes; anything else is refused by mount(8) when start runs it.
const EXT4_OPTIONS = new Set(['defaults', 'rw', 'ro', 'noatime', 'relatime', 'nodiratime', 'sync', 'async', 'nodev', 'nosuid', 'noexec']);

const FILESYSTEM: Fixture = {
  sampleBase: { device: '/dev/loop0', directory: '/tmp/slot/mnt', fstype: 'ext4' },
  startMounts: true,
  async setup(count) {
    const root = await scratch('fs');
    const loops: LoopDevice[] = [];
    const slots: Slot[] = [];
    try {
      for (let i = 0; i < count; i++) {
        const loop = await createLoop({ fstype: 'ext4', sizeMiB: 16 });
        loops.push(loop);
        const dir = path.join(root, `slot${i}`);
        await mkdir(path.join(dir, 'mnt'), { recursive: true });
        const dev = await blockDevNumber(loop.device);
        const mounts = async () =>
          (await readMountTable())
            .filter((e) => entryDev(e) === dev || e.mountPoint === dir || e.mountPoint.startsWith(`${dir}/`))
            .map((e) => `${e.source} ${e.mountPoint}`);
        slots.push({
          dir,
          base: { device: loop.device, directory: path.join(dir, 'mnt'), fstype: 'ext4' },
          snapshot: async () => ({ mounts: await mounts(), files: await treeListing(dir) }),
          reset: async () => {
            const points = (await readMountTable())
              .filter((e) => entryDev(e) === dev || e.mountPoint.startsWith(`${dir}/`))
              .map((e) => e.mountPoint)
              .sort((a, b) => b.length - a.length);
            await unmountAll(points);
          },
        });
      }
    } catch (failure) {
      for (const loop of loops) await loop.dispose();
      throw failure;
    }
    return {
      slots,
      teardown: async () => {
        for (const loop of loops) await loop.dispose();
        await rm(root, { recursive: true, force: true });
      },
    };
  },
  hostVerdict(params) {
    // the type and the device are host objects: validate-all looks at them from level 10, start always; the
    // monitor reads the mount table, which needs neither
    const types = parseProcFilesystems(readFileSync('/proc/filesystems', 'utf8'));
    const fstype = (params.fstype ?? '').toLowerCase();
    if (!types.has(fstype)) return { kind: 'absent', code: 5, level: 10, monitorLooks: false };
    if (params.device?.startsWith('/') && !existsSync(params.device)) return { kind: 'absent', code: 5, level: 10, monitorLooks: false };
    const options = (params.options ?? '').split(',').filter(Boolean);
    if (options.some((o) => !EXT4_OPTIONS.has(o))) return { kind: 'tool-refuses' };
    return undefined;
  },
};

const MAILTO: Fixture = {
  sampleBase: { email: 'root', subject: 'tsha-inputs' },
  async setup(count) {
    await ensurePostfix();
    const root = await scratch('mailto');
    const subject = `tsha-inputs-${randomBytes(4).toString('hex')}`;
    const slots: Slot[] = [];
    for (let i = 0; i < count; i++) {
      const dir = path.join(root, `slot${i}`);
      await mkdir(dir);
      slots.push({ dir, base: { email: 'root', subject }, snapshot: async () => ({ files: await treeListing(dir) }), reset: async () => undefined });
    }
    return { slots, teardown: () => rm(root, { recursive: true, force: true }) };
  },
};

// Pacemaker passes the seed's clone meta attributes to every action of the promotable clone.
const DRBD_META = { clone_max: '2', clone_node_max: '1', promoted_max: '1', promoted_node_max: '1', master_max: '1', master_node_max: '1', notify: 'true', notify_type: 'post', notify_operation: 'start' };

const DRBD: Fixture = {
  sampleBase: { drbd_resource: 'drbddata', drbdconf: '/tmp/slot/drbd.conf' },
  meta: DRBD_META,
  // drbd-utils without the kernel module (test/agents/drbd/agent.test.ts): nothing can be brought up here
  stoppedHere: { start: error(OcfExit.ERR_INSTALLED), 'validate-all@10': error(OcfExit.ERR_INSTALLED) },
  async setup(count) {
    const root = await scratch('drbd');
    const slots: Slot[] = [];
    for (let i = 0; i < count; i++) {
      const dir = path.join(root, `slot${i}`);
      await mkdir(dir);
      const conf = path.join(dir, 'drbd.conf');
      await writeFile(
        conf,
        `resource drbddata {\n  device /dev/drbd1;\n  disk /dev/tsha-test-backing;\n  meta-disk internal;\n` +
          `  on ${os.hostname()} { address 192.168.2.71:7789; }\n  on tsha-test-peer { address 192.168.2.72:7789; }\n}\n`,
      );
      slots.push({ dir, base: { drbd_resource: 'drbddata', drbdconf: conf }, snapshot: async () => ({ files: await treeListing(dir) }), reset: async () => undefined });
    }
    return { slots, teardown: () => rm(root, { recursive: true, force: true }) };
  },
  // the configuration file and the resource in it are read by validate-all at level 0 (drbdadm), and by start,
  // promote and reload; monitor asks drbdsetup for the resource, which needs neither
  hostVerdict(params, slot) {
    const conf = params.drbdconf ?? '/etc/drbd.conf';
    let readable = false;
    try {
      readable = readFileSync(conf, 'utf8') === readFileSync(slot.base.drbdconf!, 'utf8');
    } catch {
      readable = false;
    }
    if (!readable || params.drbd_resource !== 'drbddata') return { kind: 'absent', code: 5, level: 0, monitorLooks: false };
    return undefined;
  },
};

const FIXTURES: Readonly<Record<string, Fixture>> = { IPaddr2: IPADDR2, Filesystem: FILESYSTEM, MailTo: MAILTO, drbd: DRBD };

// ------------------------------------------------------------------------------------------------------------
// The cases, from the declarations

const LONG = 10 * 1024;
// Values tried in turn for a string's malformed case: the first its declaration refuses.
const MALFORMED_CANDIDATES = ['not valid', '-', '/', '..', '@', '0'];

type Value = string | Buffer | undefined;

type ParamClass = 'missing' | 'empty' | 'malformed' | 'out of range' | 'option-like' | 'very long' | 'non-UTF-8' | 'newline' | 'path traversal';
type EnvClass = 'valid' | 'extra arguments' | 'no OCF_ROOT' | 'missing program' | 'broken configuration' | 'unknown action' | 'no action';

type CaseSpec = {
  readonly klass: ParamClass | EnvClass;
  readonly title: string;
  readonly act: Act;
  /** The parameters given this slot's base ones (a Buffer: raw bytes). */
  params(slot: Slot): Record<string, Value>;
  verdict(params: Record<string, Value>, slot: Slot): Verdict;
  readonly extraArgs?: readonly string[];
  readonly unset?: readonly string[];
  readonly hide?: string;
  /** The action's name on the command line when it is not the act's (unknown action, none). */
  readonly argv?: string | null;
};

/** The environment as Pacemaker sets OCF_RESKEY_*, for the declaration's own parser. */
function reskeys(params: Record<string, Value>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(params)) if (value !== undefined) env[`OCF_RESKEY_${name}`] = String(value);
  return env;
}

/** Whether the declaration (parameter parsing and configure()) accepts these parameters. */
function declared(agent: AnyAgent, params: Record<string, Value>): boolean {
  const parsed = parseParams(agent.params, reskeys(params));
  if (!parsed.ok) return false;
  try {
    agent.configure?.(parsed.value);
    return true;
  } catch {
    return false;
  }
}

/** What values given as text mean: refused by the declaration, or what the host makes of them. */
function textVerdict(agent: AnyAgent, fixture: Fixture, params: Record<string, Value>, slot: Slot): Verdict {
  if (!declared(agent, params)) return { kind: 'invalid' };
  const text = Object.fromEntries(Object.entries(params).filter(([, v]) => v !== undefined).map(([k, v]) => [k, String(v)]));
  return fixture.hostVerdict?.(text, slot) ?? { kind: 'valid' };
}

function baseValue(name: string, spec: ParamSpec, slot: Slot): string {
  return slot.base[name] ?? (spec.default === undefined ? 'x' : String(spec.default));
}

function traversal(base: string): string {
  if (!base.startsWith('/')) return `../${base}`;
  // the same place, spelled through `..`
  const parent = path.dirname(base);
  return `${path.dirname(parent)}/${path.basename(parent)}/../${path.basename(parent)}/${path.basename(base)}`.replace(/^\/\//, '/');
}

/** The odd values of one parameter, by class; a value may depend on the slot's base value. */
function valuesOf(agent: AnyAgent, name: string, spec: ParamSpec, probeSlot: Slot): [ParamClass, string, (slot: Slot) => Value][] {
  const out: [ParamClass, string, (slot: Slot) => Value][] = [
    ['missing', 'missing', () => undefined],
    ['empty', 'empty', () => ''],
  ];
  if (spec.type === 'integer') out.push(['malformed', 'malformed `12abc`', () => '12abc']);
  if (spec.type === 'boolean') out.push(['malformed', 'malformed `maybe`', () => 'maybe']);
  if (spec.type === 'select') out.push(['malformed', 'malformed `not-an-option`', () => 'not-an-option']);
  if (spec.type === 'string') {
    const refused = MALFORMED_CANDIDATES.find((v) => !declared(agent, { ...probeSlot.base, [name]: v }));
    if (refused !== undefined) out.push(['malformed', `malformed \`${refused}\``, () => refused]);
  }
  if (spec.type === 'integer' && spec.min !== undefined) out.push(['out of range', `out of range ${spec.min - 1}`, () => String(spec.min! - 1)]);
  if (spec.type === 'integer' && spec.max !== undefined) out.push(['out of range', `out of range ${spec.max + 1}`, () => String(spec.max! + 1)]);
  out.push(['option-like', 'option-like `-rf`', () => '-rf']);
  // integers, booleans and selects accept their type only, whatever the form: one option-like value will do
  if (spec.type === 'string') out.push(['option-like', 'option-like `--help`', () => '--help']);
  out.push(
    ['very long', 'very long (10 KiB)', (slot) => (spec.type === 'integer' ? '1'.repeat(LONG) : `${baseValue(name, spec, slot)}${'a'.repeat(LONG)}`)],
    ['non-UTF-8', 'non-UTF-8 bytes', (slot) => Buffer.concat([Buffer.from(baseValue(name, spec, slot)), Buffer.from([0xff, 0xfe])])],
    ['newline', 'with a newline', (slot) => `${baseValue(name, spec, slot)}\nx`],
  );
  if (baseValue(name, spec, probeSlot).includes('/')) out.push(['path traversal', 'path traversal `../`', (slot) => traversal(baseValue(name, spec, slot))]);
  return out;
}

/**
 * The actions of an agent, as cases run them. The parameter cases run the actions every agent has (the OCF
 * mandatory ones and validate-all); promote, demote, notify and reload read their parameters through the same
 * pipeline and run in the environment cases, among them a configuration with every parameter broken.
 */
const COMMON_ACTS: readonly Act[] = ['start', 'stop', 'probe', 'monitor', 'validate-all'];

function actsOf(agent: AnyAgent): Act[] {
  const acts: Act[] = [...COMMON_ACTS];
  for (const name of ['promote', 'demote', 'notify', 'reload'] as const) if (agent.actions[name]) acts.push(name);
  return acts;
}

/** Whether the declaration says this act (at this check level) needs the program, for these parameters. */
function needs(agent: AnyAgent, need: ProgramNeed<never, never>, act: Act, params: Record<string, Value>): boolean {
  const action = act === 'probe' ? 'monitor' : act;
  const wanted =
    act === 'validate-all' ? (need.validateLevel ?? 10) <= 0 : act === 'validate-all@10' ? (need.validateLevel ?? 10) <= 10 : (need.actions as readonly string[]).includes(action);
  if (!wanted || !need.when) return wanted;
  const parsed = parseParams(agent.params, reskeys(params));
  if (!parsed.ok) return false;
  return need.when(parsed.value as never, agent.configure?.(parsed.value) as never);
}

async function casesOf(agent: AnyAgent, fixture: Fixture, probeSlot: Slot): Promise<CaseSpec[]> {
  const acts = actsOf(agent);
  const cases: CaseSpec[] = [];
  const base = (slot: Slot): Record<string, Value> => ({ ...slot.base });
  const asValid = (params: Record<string, Value>, slot: Slot) => textVerdict(agent, fixture, params, slot);

  // parameters
  for (const [name, spec] of Object.entries(agent.params as Record<string, ParamSpec>)) {
    for (const [klass, label, value] of valuesOf(agent, name, spec, probeSlot)) {
      for (const act of COMMON_ACTS) {
        cases.push({
          klass,
          title: `${name} ${label}: ${act}`,
          act,
          params: (slot) => ({ ...base(slot), [name]: value(slot) }),
          // a value Node cannot read as UTF-8 cannot reach a command as the bytes it was: refused
          verdict: (params, slot) => (Buffer.isBuffer(params[name]) ? { kind: 'invalid' } : asValid(params, slot)),
        });
      }
    }
  }

  // the environment
  const envActs: Act[] = [...acts, 'validate-all@10', 'meta-data'];
  for (const act of envActs) {
    cases.push({ klass: 'valid', title: `valid: ${act}`, act, params: base, verdict: asValid });
    cases.push({ klass: 'extra arguments', title: `extra arguments: ${act}`, act, params: base, verdict: asValid, extraArgs: ['extra', '--force'] });
    cases.push({ klass: 'no OCF_ROOT', title: `no OCF_ROOT: ${act}`, act, params: base, verdict: asValid, unset: ['OCF_ROOT'] });
    // every required parameter unset, every other one malformed where it can be
    cases.push({
      klass: 'broken configuration',
      title: `broken configuration: ${act}`,
      act,
      params: (slot) => {
        const broken: Record<string, Value> = {};
        for (const [name, spec] of Object.entries(agent.params as Record<string, ParamSpec>)) {
          if (spec.required) continue;
          const malformed = valuesOf(agent, name, spec, slot).find(([klass]) => klass === 'malformed');
          broken[name] = malformed ? malformed[2](slot) : slot.base[name];
        }
        return broken;
      },
      verdict: asValid,
    });
    for (const need of agent.programs ?? []) {
      const file = await findProgram(need.name, { PATH: withSystemPath(process.env.PATH) });
      if (!file) throw new Error(`${need.name} is not installed on this machine`);
      const hide = await realpath(file);
      cases.push({
        klass: 'missing program',
        title: `missing program ${need.name}: ${act}`,
        act,
        params: base,
        hide,
        verdict: (params, slot) => {
          const plain = asValid(params, slot);
          if (plain.kind !== 'valid') return plain;
          return { kind: 'no-program', needed: needs(agent, need as ProgramNeed<never, never>, act, params), stopWhenBroken: agent.stopWhenBroken ?? 'stopped' };
        },
      });
    }
  }
  cases.push({ klass: 'unknown action', title: 'unknown action `frobnicate`', act: 'start', argv: 'frobnicate', params: base, verdict: () => ({ kind: 'unknown-action' }) });
  cases.push({ klass: 'no action', title: 'no action', act: 'start', argv: null, params: base, verdict: () => ({ kind: 'no-action' }) });
  return cases;
}

// ------------------------------------------------------------------------------------------------------------
// Running a case

type RunCheck = { readonly act: string; readonly expected: Answer; readonly run: AgentRun };
type Outcome = { readonly runs: RunCheck[]; readonly leftovers: string[]; readonly before: unknown; readonly after: unknown; readonly verdict: Verdict };

function metaFor(act: Act, fixture: Fixture): Record<string, string> {
  const meta: Record<string, string> = { ...fixture.meta };
  meta.interval = act === 'monitor' ? '10000' : '0';
  return meta;
}

function actionName(act: Act): string {
  return act === 'probe' || act === 'monitor' ? 'monitor' : act === 'validate-all@10' ? 'validate-all' : act;
}

let caseCounter = 0;

async function runCase(agentName: string, agent: AnyAgent, fixture: Fixture, spec: CaseSpec, slot: Slot, wrapper: string): Promise<Outcome> {
  const marker = `${process.pid}-${++caseCounter}`;
  const rsctmp = path.join(slot.dir, `rsctmp-${caseCounter}`);
  await mkdir(rsctmp);
  const given = spec.params(slot);
  const verdict = spec.verdict(given, slot);
  const before = await slot.snapshot();
  const text: Record<string, string> = {};
  let raw: WrappedRun['rawParam'];
  for (const [name, value] of Object.entries(given)) {
    if (Buffer.isBuffer(value)) raw = { name, bytes: value };
    else if (value !== undefined) text[name] = value;
  }
  const runs: RunCheck[] = [];
  const run = async (act: Act, expected: Answer, options: { hide?: string } = {}): Promise<AgentRun> => {
    const action = spec.argv === null ? undefined : (spec.argv ?? actionName(act));
    const env: Record<string, string> = { HA_RSCTMP: rsctmp };
    if (act === 'validate-all@10') env.OCF_CHECK_LEVEL = '10';
    const result = await runWrapped(
      wrapper,
      agentName,
      action,
      { params: text, ...(raw ? { rawParam: raw } : {}), ...(spec.unset ? { unset: spec.unset } : {}), ...(spec.extraArgs ? { extraArgs: spec.extraArgs } : {}), ...(options.hide ? { hide: options.hide } : {}) },
      marker,
      { instance: `${agent.name.toLowerCase()}-inputs`, meta: metaFor(act, fixture), env, ...(slot.netns ? { netns: slot.netns } : {}) },
    );
    runs.push({ act: act === spec.act ? (action ?? '(none)') : `then ${actionName(act)}`, expected, run: result });
    return result;
  };
  const expected = expectedAnswer(spec.act, verdict, fixture.stoppedHere);
  const first = await run(spec.act, expected, spec.hide ? { hide: spec.hide } : {});
  // a start that brought the resource up: it must then be running, and its stop must take everything away
  if (spec.act === 'start' && spec.argv === undefined && first.rc === OcfExit.SUCCESS) {
    const mountedAway = spec.hide !== undefined && fixture.startMounts === true;
    await run('monitor', ok(mountedAway ? OcfExit.NOT_RUNNING : OcfExit.SUCCESS));
    await run('stop', ok(OcfExit.SUCCESS));
  }
  const leftovers = await processesMarked(marker);
  const after = await slot.snapshot();
  await rm(rsctmp, { recursive: true, force: true });
  return { runs, leftovers, before, after, verdict };
}

const STACK_LINE = /^\s+at \S/m;
const ERROR_DUMP = /^(\w*Error|Uncaught|node:internal)\b.*/m;

function checkOutcome(outcome: Outcome): void {
  const { runs, leftovers, before, after, verdict } = outcome;
  const what = runs.map((r) => `${r.act} → rc ${r.run.rc} (${r.run.reasonLines} reason(s): ${r.run.reason ?? '-'})`).join('; ');
  const context = `verdict ${JSON.stringify(verdict)}; ${what}\nstderr of the first run:\n${runs[0]?.run.stderr.slice(0, 2000)}`;
  for (const { act, expected, run } of runs) {
    expect(run.rc, `${act}: exit code; ${context}`).to.equal(expected.code);
    expect(run.reasonLines, `${act}: exit reason lines; ${context}`).to.equal(expected.reason ? 1 : 0);
    if (run.reason !== undefined) expect(run.reason.length, `${act}: exit reason length`).to.be.at.most(EXIT_REASON_MAX);
    for (const output of [run.stdout, run.stderr]) {
      expect(STACK_LINE.test(output), `${act}: a stack trace in the output: ${output.slice(0, 2000)}`).to.equal(false);
      expect(ERROR_DUMP.exec(output)?.[0], `${act}: an error dump in the output`).to.equal(undefined);
      expect(output.includes('"stack"'), `${act}: a stack in the log: ${output.slice(0, 2000)}`).to.equal(false);
    }
  }
  expect(leftovers, 'processes left running').to.deep.equal([]);
  expect(after, 'the system after the case').to.deep.equal(before);
}

// ------------------------------------------------------------------------------------------------------------
// The suite

// Cases are declared before any slot exists: a stand-in slot with the fixture's sample values gives the shape
// of each base value (path-like or not); the values themselves are made from the real slot's when a case runs.
const suites = await Promise.all(
  agentNames.map(async (name) => {
    const agent = await loadAgent(name);
    const fixture = FIXTURES[name];
    if (!fixture) throw new Error(`no fixture for agent ${name}: add one to test/agents/inputs.test.ts`);
    const standIn: Slot = { dir: os.tmpdir(), base: fixture.sampleBase, snapshot: async () => undefined, reset: async () => undefined };
    return { name, agent, fixture, cases: await casesOf(agent, fixture, standIn) };
  }),
);

describe('every bad input answered right (installed agents, cases generated from their declarations)', function () {
  before(function () {
    if (process.getuid?.() !== 0) throw new Error('this suite needs root (namespaces, loop devices, mounts)');
  });

  for (const { name, agent, fixture, cases } of suites) {
    describe(`ocf:tsha:${name}`, function () {
      // each case spawns one to three agents, SLOTS cases at a time, each case alone in its slot
      this.timeout(600_000);
      let teardown: (() => Promise<void>) | undefined;
      let outcomes: PromiseSettledResult<Outcome>[] = [];

      before(async function () {
        const started = Date.now();
        const set = await fixture.setup(SLOTS);
        teardown = set.teardown;
        const wrapper = await installWrapper(path.dirname(set.slots[0]!.dir));
        const task = (spec: CaseSpec) => async (slot: Slot) => {
          try {
            const outcome = await runCase(name, agent, fixture, spec, slot, wrapper);
            if (!isDeepStrictEqual(outcome.after, outcome.before)) await slot.reset();
            return outcome;
          } catch (failure) {
            await slot.reset();
            throw failure;
          }
        };
        // A case that hides a program runs in a private mount namespace, a copy of every mount of the moment,
        // other slots' among them (the Filesystem agent then finds their device held there): those cases run
        // last, one at a time.
        const hiding = cases.map((spec, i) => (spec.hide ? i : -1)).filter((i) => i >= 0);
        const shared = cases.map((_, i) => i).filter((i) => !cases[i]!.hide);
        const sharedOutcomes = await inPool(set.slots, shared.map((i) => task(cases[i]!)));
        const hidingOutcomes = await inPool(set.slots.slice(0, 1), hiding.map((i) => task(cases[i]!)));
        outcomes = new Array(cases.length);
        shared.forEach((i, k) => (outcomes[i] = sharedOutcomes[k]!));
        hiding.forEach((i, k) => (outcomes[i] = hidingOutcomes[k]!));
        console.log(`      ${cases.length} cases of ${name} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      });
      after(async () => {
        await teardown?.();
      });

      cases.forEach((spec, index) => {
        it(`${spec.klass} · ${spec.title}`, () => {
          const result = outcomes[index];
          if (!result) throw new Error('the case did not run');
          if (result.status === 'rejected') throw result.reason;
          checkOutcome(result.value);
        });
      });
    });
  }
});
