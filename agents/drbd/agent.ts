// SPDX-License-Identifier: GPL-2.0-or-later
import { defineAgent } from '../../lib/ocf/agent.js';
import { VERSION } from '../../lib/version.js';
import { demote, monitor, notify, promote, reload, start, stop, validate } from './actions.js';
import { drbdParams } from './params.js';

export const drbd = defineAgent({
  name: 'drbd',
  version: VERSION,
  shortdesc: 'Manages a DRBD resource as a promotable clone',
  longdesc:
    'Brings a DRBD resource up and down and promotes it to Primary or demotes it to Secondary, as a ' +
    'promotable clone (one Promoted instance, clone-max 2). The promotion score follows the local and peer ' +
    'disk states and quorum, set with crm_attribute --promotion. Works with DRBD 9 (drbdsetup events2) and ' +
    'reads DRBD 8.4 state through the 8.4 tools drbd-utils 9 carries. Drop-in replacement for ocf:linbit:drbd ' +
    'that passes pcs agent validation: clone meta attributes are checked only when Pacemaker passes them.',
  params: drbdParams,
  actions: {
    start: { timeout: '240s', handler: start },
    stop: { timeout: '100s', handler: stop },
    promote: { timeout: '90s', handler: promote },
    demote: { timeout: '90s', handler: demote },
    notify: { timeout: '90s', handler: notify },
    reload: { timeout: '30s', handler: reload },
    monitor: {
      timeout: '20s',
      handler: monitor,
      // Pacemaker needs distinct intervals per role; these are the seed's.
      advertise: [
        { timeout: '20s', interval: '29s', role: 'Promoted' },
        { timeout: '20s', interval: '31s', role: 'Unpromoted' },
      ],
    },
  },
  validate,
  validateTimeout: '30s',
  // notify runs them too, but never fails (it logs); validate-all checks drbd-utils even at level 0, as LINBIT's
  // agent does, since nothing can be said of the resource without drbdadm reading its configuration
  programs: [
    { name: 'drbdadm', provider: 'drbd-utils', actions: ['start', 'stop', 'monitor', 'promote', 'demote', 'reload'], validateLevel: 0 },
    { name: 'drbdsetup', provider: 'drbd-utils', actions: ['start', 'stop', 'monitor', 'promote', 'demote', 'reload'], validateLevel: 0 },
  ],
  // without drbd-utils no DRBD resource can have been brought up here
  stopWhenBroken: 'stopped',
  watch: (ctx) => ({ kind: 'drbd', resource: ctx.params.drbd_resource }),
});
