// SPDX-License-Identifier: GPL-2.0-or-later
// A man page (roff) rendered from the same declaration as the meta-data.
import type { AnyAgent } from './agent.js';
import { advertisedActions } from './metadata.js';
import { defaultText, fullLongdesc, type ParamSpecs } from './params.js';

/** Text as roff prints it: a leading dot or quote would be read as a request; backslashes as escapes. */
export function roff(text: string): string {
  return text.replace(/\\/g, '\\e').replace(/^([.'])/gm, '\\&$1');
}

export function renderMan(agent: AnyAgent): string {
  const out: string[] = [
    `.TH OCF_TSHA_${agent.name.toUpperCase()} 7 "" "tsha ${agent.version}" "OCF resource agents"`,
    '.SH NAME',
    `ocf:tsha:${agent.name} \\- ${roff(agent.shortdesc)}`,
    '.SH SYNOPSIS',
    `\\fBpcs resource create\\fR \\fIname\\fR \\fBocf:tsha:${agent.name}\\fR [\\fIparameter\\fR=\\fIvalue\\fR ...]`,
    '.SH DESCRIPTION',
    roff(agent.longdesc),
    '.SH PARAMETERS',
  ];
  for (const [name, spec] of Object.entries(agent.params as ParamSpecs)) {
    const flags = [spec.type, spec.required ? 'required' : 'optional'];
    if (spec.unique || spec.uniqueGroup) flags.push('unique');
    const dflt = defaultText(spec);
    if (dflt !== undefined) flags.push(`default "${dflt}"`);
    out.push('.TP', `\\fB${name}\\fR (${roff(flags.join(', '))})`, `${roff(spec.shortdesc)}.`, '.br', roff(fullLongdesc(spec)));
  }
  out.push('.SH ACTIONS');
  for (const action of advertisedActions(agent)) {
    const details = [`timeout ${action.timeout}`];
    if (action.interval) details.push(`interval ${action.interval}`);
    if (action.role) details.push(`role ${action.role}`);
    if (action.depth) details.push(`depth ${action.depth}`);
    out.push('.TP', `\\fB${action.name}\\fR`, details.join(', '));
  }
  out.push(
    '.SH EXIT STATUS',
    'OCF 1.1 exit codes; a failure writes one \\fBocf-exit-reason:\\fR line on standard error.',
    '.SH SEE ALSO',
    '\\fBtsha\\fR(8), \\fBpcs\\fR(8), \\fBcrm\\fR(8), \\fBocf-tester\\fR(8)',
    '',
  );
  return out.join('\n');
}
