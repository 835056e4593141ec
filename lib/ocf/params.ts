// SPDX-License-Identifier: GPL-2.0-or-later
// Typed instance-parameter declarations: one literal per agent drives meta-data, parsing, validation and man pages.

type ParamCommon = {
  readonly shortdesc: string;
  readonly longdesc: string;
  readonly required?: boolean;
  /** Rendered as unique="1": the value must differ between resources of this agent. */
  readonly unique?: boolean;
  /** OCF 1.1 unique-group; ra-api-1.dtd rejects the attribute, so it renders as unique="1" plus longdesc text. */
  readonly uniqueGroup?: string;
  /** OCF 1.1 reloadable; documented in the longdesc only (the DTD rejects the attribute). */
  readonly reloadable?: boolean;
};

/** What a parameter's parse function returns for an unacceptable value. */
export class Invalid {
  constructor(readonly problem: string) {}
}
export const invalid = (problem: string): Invalid => new Invalid(problem);

export type StringParam<T = unknown> = ParamCommon & {
  readonly type: 'string';
  /** The text meta-data shows; a parsed parameter's default goes through parse like any value. */
  readonly default?: string;
  /**
   * Turns the text into the value handlers read (an address, a list, a version ...), or says why it cannot:
   * the one place the parameter is parsed. Without it the value is the text itself.
   */
  readonly parse?: (raw: string) => T | Invalid;
};
export type IntegerParam = ParamCommon & {
  readonly type: 'integer';
  readonly default?: number;
  readonly min?: number;
  readonly max?: number;
};
export type BooleanParam = ParamCommon & { readonly type: 'boolean'; readonly default?: boolean };
export type SelectParam<O extends string = string> = ParamCommon & {
  readonly type: 'select';
  readonly options: readonly O[];
  readonly default?: O;
};

export type ParamSpec = StringParam | IntegerParam | BooleanParam | SelectParam;
export type ParamSpecs = Readonly<Record<string, ParamSpec>>;

type BaseValue<P extends ParamSpec> = P extends IntegerParam
  ? number
  : P extends BooleanParam
    ? boolean
    : P extends SelectParam<infer O>
      ? O
      : P extends { parse: (raw: string) => infer T }
        ? Exclude<T, Invalid>
        : string;

/** A value is always present when the parameter is required or has a default. */
export type ParamValue<P extends ParamSpec> = P extends { required: true }
  ? BaseValue<P>
  : P extends { default: unknown }
    ? BaseValue<P>
    : BaseValue<P> | undefined;

export type Params<S extends ParamSpecs> = { readonly [K in keyof S]: ParamValue<S[K]> };

export const param = {
  string: <const P extends Omit<StringParam, 'type'>>(p: P) => ({ ...p, type: 'string' as const }),
  integer: <const P extends Omit<IntegerParam, 'type'>>(p: P) => ({ ...p, type: 'integer' as const }),
  boolean: <const P extends Omit<BooleanParam, 'type'>>(p: P) => ({ ...p, type: 'boolean' as const }),
  select: <const O extends string, const P extends Omit<SelectParam<O>, 'type'>>(p: P & { options: readonly O[] }) => ({
    ...p,
    type: 'select' as const,
  }),
};

// What Pacemaker and ocf-shellfuncs' ocf_is_true accept, case-insensitively, plus their negative twins.
const TRUE_WORDS = new Set(['true', 'yes', 'on', '1', 'y', 'ja', 'enable', 'enabled']);
const FALSE_WORDS = new Set(['false', 'no', 'off', '0', 'n', 'nein', 'disable', 'disabled']);

export function parseBoolean(raw: string): boolean | undefined {
  const word = raw.trim().toLowerCase();
  if (TRUE_WORDS.has(word)) return true;
  if (FALSE_WORDS.has(word)) return false;
  return undefined;
}

export function parseInteger(raw: string): number | undefined {
  const text = raw.trim();
  if (!/^[+-]?\d+$/.test(text)) return undefined;
  const value = Number(text);
  return Number.isSafeInteger(value) ? value : undefined;
}

export type ParamIssue = { readonly param: string; readonly message: string };
export type ParseResult<S extends ParamSpecs> =
  | { readonly ok: true; readonly value: Params<S> }
  | { readonly ok: false; readonly issues: readonly ParamIssue[]; readonly partial: Partial<Params<S>> };

function parseOne(name: string, spec: ParamSpec, raw: string): { value: unknown } | { issue: string } {
  switch (spec.type) {
    case 'string': {
      if (!spec.parse) return { value: raw };
      const value = spec.parse(raw);
      return value instanceof Invalid ? { issue: value.problem } : { value };
    }
    case 'integer': {
      const value = parseInteger(raw);
      if (value === undefined) return { issue: `expected parameter \`${name}\` to be an integer, got \`${raw}\`` };
      if ((spec.min !== undefined && value < spec.min) || (spec.max !== undefined && value > spec.max)) {
        const range = `${spec.min ?? '-inf'}..${spec.max ?? 'inf'}`;
        return { issue: `expected parameter \`${name}\` to be in ${range}, got \`${raw}\`` };
      }
      return { value };
    }
    case 'boolean': {
      const value = parseBoolean(raw);
      return value === undefined
        ? { issue: `expected parameter \`${name}\` to be a boolean (true/false, yes/no, on/off, 1/0), got \`${raw}\`` }
        : { value };
    }
    case 'select':
      return spec.options.includes(raw)
        ? { value: raw }
        : { issue: `expected parameter \`${name}\` to be one of ${spec.options.join(', ')}, got \`${raw}\`` };
  }
}

/** A default is typed already, except the text default of a parsed string, which goes through its parse. */
function parseDefault(name: string, spec: ParamSpec): { value: unknown } | { issue: string } {
  return spec.type === 'string' ? parseOne(name, spec, spec.default ?? '') : { value: spec.default };
}

/** Reads OCF_RESKEY_<name> for every declared parameter. An empty value counts as unset, as in shell agents. */
export function parseParams<S extends ParamSpecs>(specs: S, env: NodeJS.ProcessEnv): ParseResult<S> {
  const value: Record<string, unknown> = {};
  const issues: ParamIssue[] = [];
  for (const [name, spec] of Object.entries(specs)) {
    const raw = env[`OCF_RESKEY_${name}`];
    if ((raw === undefined || raw === '') && spec.default === undefined) {
      if (spec.required) issues.push({ param: name, message: `required parameter \`${name}\` is not set` });
      continue;
    }
    // Node reads the environment as UTF-8, replacing bytes that are not: such a value could not reach a
    // command as the bytes it was
    const parsed =
      raw === undefined || raw === ''
        ? parseDefault(name, spec)
        : raw.includes('\uFFFD')
          ? { issue: `parameter \`${name}\` is not valid UTF-8` }
          : parseOne(name, spec, raw);
    if ('issue' in parsed) issues.push({ param: name, message: parsed.issue });
    else value[name] = parsed.value;
  }
  if (issues.length > 0) return { ok: false, issues, partial: value as Partial<Params<S>> };
  return { ok: true, value: value as Params<S> };
}

export function defaultText(spec: ParamSpec): string | undefined {
  if (spec.default === undefined) return undefined;
  return String(spec.default);
}

/** The longdesc with what the DTD cannot express (choices, ranges, unique-group, reloadable) spelled out. */
export function fullLongdesc(spec: ParamSpec): string {
  const notes: string[] = [];
  if (spec.type === 'select') notes.push(`Allowed values: ${spec.options.join(', ')}.`);
  if (spec.type === 'integer' && (spec.min !== undefined || spec.max !== undefined)) {
    notes.push(`Range: ${spec.min ?? '-inf'} to ${spec.max ?? 'inf'}.`);
  }
  if (spec.uniqueGroup) notes.push(`Unique group: ${spec.uniqueGroup}.`);
  if (spec.reloadable) notes.push('Reloadable without a restart.');
  return notes.length > 0 ? `${spec.longdesc} ${notes.join(' ')}` : spec.longdesc;
}

/** The meta-data content type: select is rendered as string, the one type every validator accepts for it. */
export function contentType(spec: ParamSpec): 'string' | 'integer' | 'boolean' {
  return spec.type === 'select' ? 'string' : spec.type;
}
