// SPDX-License-Identifier: GPL-2.0-or-later
// fast-check arbitraries for the text a parser can be handed: any code points (lone surrogates, U+FFFD as
// non-UTF-8 bytes decode to), control characters, option-like and path-like words, very long values, and
// lines built from the tokens of the format under test so that near-misses are common, not only noise.
import fc from 'fast-check';

/** Bounded runs: every property test of the parsers uses these (fast-check prints the seed of a failure). */
export const RUNS = { numRuns: 300 } as const;

const TRICKY = [
  '', ' ', '\t', '\n', '\r\n', '\0', '\u00ff', '\ufffd', '\ud800', '-', '--', '-rf', '--help', '-v', '../', '../../etc/passwd',
  '/', '.', '..', ':', '::', '=', '"', "'", '\\', '\\040', '$(id)', '`id`', ';', '|', '&', '*', '%s', '{', '}', '[', ']',
  '0', '-1', '+1', '1e3', '0x10', '00', '99999999999999999999999', 'NaN', 'Infinity', 'true', 'yes', 'no', 'null',
];

/** One word a hostile or careless caller could pass. */
export const trickyWord = fc.constantFrom(...TRICKY);

/** Any text: arbitrary code points, tricky words, and long values. */
export const anyText: fc.Arbitrary<string> = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary', maxLength: 40 }),
  trickyWord,
  fc.array(fc.oneof(trickyWord, fc.string({ maxLength: 6 })), { maxLength: 8 }).map((words) => words.join('')),
  fc.string({ minLength: 200, maxLength: 5000 }),
);

/** Lines made of the given tokens (and some noise), joined by newlines: malformed variants of a format. */
export function linesOf(tokens: readonly string[], separator = ' '): fc.Arbitrary<string> {
  const word = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...tokens) }, { weight: 1, arbitrary: trickyWord }, { weight: 1, arbitrary: fc.string({ maxLength: 5 }) });
  const line = fc.tuple(fc.constantFrom('', ' ', '  ', '    ', '\t'), fc.array(word, { maxLength: 10 })).map(([indent, words]) => indent + words.join(separator));
  return fc.array(line, { maxLength: 20 }).map((lines) => lines.join('\n'));
}
