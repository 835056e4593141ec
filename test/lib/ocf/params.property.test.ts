// SPDX-License-Identifier: GPL-2.0-or-later
// Property tests of the environment parsers: every agent's declaration through parseParams, and parseMeta. Both
// run before the action's try (lib/ocf/run.ts), so they must answer any environment without throwing.
import { expect } from 'chai';
import fc from 'fast-check';
import { filesystemParams } from '../../../agents/Filesystem/params.js';
import { ipaddr2Params } from '../../../agents/IPaddr2/params.js';
import { mailToParams } from '../../../agents/MailTo/params.js';
import { drbdParams } from '../../../agents/drbd/params.js';
import { parseMeta } from '../../../lib/ocf/meta.js';
import { parseParams, type ParamSpec, type ParamSpecs } from '../../../lib/ocf/params.js';
import { RUNS, anyText, trickyWord } from '../../helpers/hostile-text.js';

const DECLARATIONS: [string, ParamSpecs][] = [
  ['IPaddr2', ipaddr2Params],
  ['Filesystem', filesystemParams],
  ['MailTo', mailToParams],
  ['drbd', drbdParams],
];

/** A value for a parameter: anything, or something close to what its type accepts. */
function valueFor(spec: ParamSpec): fc.Arbitrary<string> {
  const typed =
    spec.type === 'integer'
      ? fc.oneof(fc.integer().map(String), fc.bigInt().map(String), fc.integer({ min: (spec.min ?? -5) - 2, max: (spec.max ?? 100) + 2 }).map((n) => ` ${n} `))
      : spec.type === 'boolean'
        ? fc.constantFrom('true', 'FALSE', 'Yes', 'off', '1', 'ja', 'maybe')
        : spec.type === 'select'
          ? fc.oneof(fc.constantFrom(...spec.options), fc.constantFrom(...spec.options).map((o) => o.toUpperCase()))
          : fc.constantFrom(spec.default ?? 'x', '192.168.1.73', 'eth1', '/dev/drbd1', '/data', 'root@localhost', 'r0', '9.2.5', '0 10 1000 10000');
  return fc.oneof(typed, anyText);
}

/** An environment: some declared parameters set (or empty), plus unrelated variables. */
function envFor(specs: ParamSpecs): fc.Arbitrary<NodeJS.ProcessEnv> {
  const entries = Object.entries(specs).map(([name, spec]) =>
    fc.option(valueFor(spec), { nil: undefined }).map((value) => [`OCF_RESKEY_${name}`, value] as const),
  );
  return fc.tuple(fc.tuple(...entries), fc.dictionary(fc.string({ maxLength: 8 }), anyText, { maxKeys: 3 })).map(([set, noise]) => {
    const env: NodeJS.ProcessEnv = { ...noise };
    for (const [key, value] of set) if (value !== undefined) env[key] = value;
    return env;
  });
}

describe('lib/ocf/params: property tests', () => {
  for (const [agent, specs] of DECLARATIONS) {
    describe(agent, () => {
      it('answers any environment with typed values or issues, never a throw', () => {
        fc.assert(
          fc.property(envFor(specs), (env) => {
            const result = parseParams(specs, env);
            if (!result.ok) {
              expect(result.issues).to.not.be.empty;
              for (const issue of result.issues) {
                expect(specs).to.have.property(issue.param);
                expect(issue.message).to.be.a('string').and.not.equal('');
              }
              return;
            }
            for (const [name, spec] of Object.entries(specs)) {
              const value = (result.value as Record<string, unknown>)[name];
              if (value === undefined) {
                expect(spec.required, `${name} missing`).to.not.equal(true);
                expect(spec.default, `${name} has a default`).to.equal(undefined);
                continue;
              }
              if (spec.type === 'integer') {
                expect(Number.isSafeInteger(value), name).to.equal(true);
                if (spec.min !== undefined) expect(value).to.be.at.least(spec.min);
                if (spec.max !== undefined) expect(value).to.be.at.most(spec.max);
              }
              if (spec.type === 'boolean') expect(value, name).to.be.a('boolean');
              if (spec.type === 'select') expect(spec.options, name).to.include(value);
            }
          }),
          RUNS,
        );
      });

      it('reads only its own variables: unrelated ones change nothing', () => {
        fc.assert(
          fc.property(envFor(specs), fc.dictionary(fc.stringMatching(/^[A-Z][A-Z_]{0,10}$/), anyText, { maxKeys: 4 }), (env, noise) => {
            const extra = Object.fromEntries(Object.entries(noise).filter(([key]) => !key.startsWith('OCF_RESKEY_')));
            expect(parseParams(specs, { ...extra, ...env })).to.deep.equal(parseParams(specs, env));
          }),
          RUNS,
        );
      });

      it('reads back every integer in range and every choice it offers', () => {
        const ranged = Object.entries(specs).filter(([, s]) => s.type === 'integer' || s.type === 'select' || s.type === 'boolean');
        if (ranged.length === 0) return;
        type Pick = readonly [name: string, raw: string, expected: unknown];
        const pick = fc.constantFrom(...ranged).chain(([name, spec]): fc.Arbitrary<Pick> => {
          if (spec.type === 'integer') return fc.integer({ min: spec.min ?? -1e6, max: spec.max ?? 1e6 }).map((n): Pick => [name, String(n), n]);
          if (spec.type === 'select') return fc.constantFrom(...spec.options).map((o): Pick => [name, o, o]);
          return fc.boolean().map((b): Pick => [name, String(b), b]);
        });
        fc.assert(
          fc.property(pick, ([name, raw, expected]) => {
            const env: NodeJS.ProcessEnv = { [`OCF_RESKEY_${name}`]: raw };
            // Required parameters get a plausible value so that only `name` is under test.
            for (const [other, spec] of Object.entries(specs)) {
              if (spec.required && other !== name) env[`OCF_RESKEY_${other}`] = ({ ip: '192.168.1.73', device: '/dev/drbd1', directory: '/data', fstype: 'xfs', email: 'root', drbd_resource: 'r0' } as Record<string, string>)[other];
            }
            const result = parseParams(specs, env);
            expect(result.ok, JSON.stringify(result)).to.equal(true);
            if (result.ok) expect((result.value as Record<string, unknown>)[name]).to.equal(expected);
          }),
          RUNS,
        );
      });
    });
  }
});

describe('lib/ocf/meta: property tests', () => {
  const META = ['timeout', 'interval', 'clone', 'clone_max', 'clone_node_max', 'promoted_max', 'master_max', 'promoted_node_max', 'notify', 'globally_unique', 'promotable', 'notify_type', 'notify_operation', 'notify_promoted_uname', 'notify_master_uname', 'notify_start_uname', 'on_node', 'name'];
  const metaValue = fc.oneof(anyText, fc.nat().map(String), fc.nat().map((n) => `${n}s`), fc.constantFrom('pre', 'post', 'true', 'false', '2592000000', '30d'));
  const metaEnv = fc
    .array(fc.tuple(fc.oneof(fc.constantFrom(...META), trickyWord), metaValue), { maxLength: 10 })
    .map((pairs) => Object.fromEntries(pairs.map(([k, v]) => [`OCF_RESKEY_CRM_meta_${k}`, v])) as NodeJS.ProcessEnv);

  it('answers any meta attributes with numbers a timer and Pacemaker can use, never a throw', () => {
    fc.assert(
      fc.property(metaEnv, (env) => {
        const meta = parseMeta(env);
        // setTimeout fires at once for anything above 2^31-1 ms: the deadline must stay below that.
        expect(Number.isSafeInteger(meta.timeout) && meta.timeout >= 0 && meta.timeout <= 2 ** 31 - 1, `timeout ${meta.timeout}`).to.equal(true);
        expect(Number.isSafeInteger(meta.interval) && meta.interval >= 0, `interval ${meta.interval}`).to.equal(true);
        for (const n of [meta.cloneMax, meta.cloneNodeMax, meta.promotedMax, meta.promotedNodeMax]) expect(Number.isSafeInteger(n)).to.equal(true);
        expect(['pre', 'post', undefined]).to.include(meta.notifyData.type);
        for (const name of meta.notifyData.promoted.uname) expect(name).to.match(/^\S+$/);
        for (const key of meta.given) expect(env[`OCF_RESKEY_CRM_meta_${key}`]).to.be.a('string').and.not.equal('');
      }),
      RUNS,
    );
  });

  it('reads back any duration Pacemaker passes in ms', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), fc.integer({ min: 0, max: 2 ** 31 - 1 }), (timeout, interval) => {
        const meta = parseMeta({ OCF_RESKEY_CRM_meta_timeout: String(timeout), OCF_RESKEY_CRM_meta_interval: String(interval) });
        expect([meta.timeout, meta.interval]).to.deep.equal([timeout, interval]);
      }),
      RUNS,
    );
  });
});
