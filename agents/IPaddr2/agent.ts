// SPDX-License-Identifier: GPL-2.0-or-later
import { defineAgent } from '../../lib/ocf/agent.js';
import { VERSION } from '../../lib/version.js';
import { monitor, start, stop, validate } from './actions.js';
import { configure, ipaddr2Params } from './params.js';

export const ipaddr2 = defineAgent({
  name: 'IPaddr2',
  version: VERSION,
  shortdesc: 'Manages a virtual IPv4 or IPv6 address',
  longdesc:
    'Puts a virtual address on an interface with iproute2 and announces it: gratuitous ARP (iputils arping) for ' +
    'IPv4, unsolicited neighbour advertisements after duplicate address detection for IPv6. The monitor fails ' +
    'when the address sits on an interface that is down or has lost its carrier. Drop-in replacement for ' +
    'ocf:heartbeat:IPaddr2 (same parameter names) without its CLUSTERIP load sharing, which current kernels ' +
    'removed: a clone with clone-max greater than 1 is refused.',
  params: ipaddr2Params,
  actions: {
    start: { timeout: '20s', handler: start },
    stop: { timeout: '20s', handler: stop },
    monitor: { timeout: '20s', interval: '10s', depth: 0, handler: monitor },
  },
  configure,
  validate,
  validateTimeout: '20s',
  programs: [
    // validate-all places the address even at level 0, which takes ip
    { name: 'ip', provider: 'iproute2', actions: ['start', 'stop', 'monitor'], validateLevel: 0 },
    {
      name: 'arping',
      provider: 'iputils-arping',
      actions: ['start'],
      // IPv4 announcements only, and nobody to tell on lo
      when: (params) => params.ip.family === 4 && params.nic?.name !== 'lo',
    },
  ],
  // an address cannot be on an interface that is gone, or be managed without iproute2 (heartbeat returns 0 too)
  stopWhenBroken: 'stopped',
  watch: (ctx) => ({ kind: 'ip', address: ctx.params.ip.address, nic: ctx.params.nic?.name }),
});
