// SPDX-License-Identifier: GPL-2.0-or-later
// ocf:linbit:drbd's parameters that still make sense, with its names and defaults (reference drbd.md §2).
import type { ActionContext } from '../../lib/ocf/agent.js';
import { invalid, param } from '../../lib/ocf/params.js';
import { DEFAULT_ADJUST_MASTER_SCORE, parseWeights } from './score.js';
import { parseVersion } from './version.js';
import { eventWatchParam } from '../../lib/watch/interest.js';

// drbd.ocf's charset for resource names and configuration paths.
const SAFE_NAME = /^[-%+./0-9:=@A-Z_a-z]+$/;
const safe = (what: string) => (value: string) =>
  SAFE_NAME.test(value) ? value : invalid(`${what} \`${value}\` must only contain [-%+./0-9:=@A-Z_a-z]`);
// the whole value a version (a release suffix such as 9.2.6-1 allowed), not a version followed by anything
const VERSION_TEXT = /^\d+\.\d+(\.\d+)?([-+~][0-9A-Za-z.+~-]*)?$/;
const version = (name: string) => (value: string) =>
  (VERSION_TEXT.test(value) && parseVersion(value)) || invalid(`expected \`${name}\` to be a version x.y.z, got \`${value}\``);

export const drbdParams = {
  drbd_resource: param.string({
    shortdesc: 'DRBD resource name',
    longdesc: 'The name of the DRBD resource, as defined in the DRBD configuration (drbdconf).',
    required: true,
    unique: true,
    // drbdadm would read a leading `-` as an option (`--help` succeeds): no resource can have such a name
    parse: (value) => (value.startsWith('-') ? invalid(`resource name \`${value}\` must not start with \`-\``) : safe('resource name')(value)),
  }),
  drbdconf: param.string({
    shortdesc: 'Path to drbd.conf',
    longdesc: 'The DRBD configuration file, passed to drbdadm as `-c FILE`.',
    default: '/etc/drbd.conf',
    parse: safe('configuration file'),
  }),
  adjust_master_score: param.string({
    shortdesc: 'Promotion scores for the four levels of data access',
    longdesc:
      'Four non-decreasing integers: the promotion score when the local disks are only Consistent (peer ' +
      'unknown), when only a peer has UpToDate data, when the local disks are UpToDate but a peer disk is ' +
      'unknown, and when everything is UpToDate and known. A score of 0 or less removes the score, so the ' +
      'node is not promoted.',
    default: DEFAULT_ADJUST_MASTER_SCORE,
    parse: (value) => {
      const parsed = parseWeights(value);
      return parsed.ok ? parsed.weights : invalid(parsed.problem);
    },
  }),
  stop_outdates_secondary: param.boolean({
    shortdesc: 'Outdate the local data on stop while a peer is Primary',
    longdesc:
      'After a stop, or a post notification that finds the peer disk unknown, mark the local data Outdated ' +
      '(drbdadm outdate) when the notification variables name another node as Promoted.',
    default: false,
  }),
  ignore_missing_notifications: param.boolean({
    shortdesc: 'Accept a clone without notify=true',
    longdesc:
      'The agent relies on clone notifications to reconnect after a peer starts. A clone without ' +
      'notify=true is refused at start unless this is true.',
    default: false,
  }),
  wfc_timeout: param.integer({
    shortdesc: 'Seconds to wait for the peer at start',
    longdesc:
      'How long start waits for the connection to the peer (and for the disk to attach) before it returns ' +
      'anyway; 0 does not wait for the peer. Always bounded by the start timeout.',
    default: 5,
    min: 0,
  }),
  remove_master_score_if_peer_primary: param.select({
    shortdesc: 'Drop the score while connected to a Primary peer',
    longdesc:
      'true: a Secondary connected to a healthy Primary removes its promotion score, so Pacemaker does not try ' +
      'to promote it; unexpected: only when Pacemaker does not know of a Promoted instance; false: never.',
    options: ['false', 'true', 'unexpected'] as const,
    default: 'false',
  }),
  fail_promote_early_if_peer_primary: param.boolean({
    shortdesc: 'Fail promote at once while a peer unknown to Pacemaker is Primary',
    longdesc:
      'When promote is refused because a peer is still Primary and Pacemaker knows no Promoted instance, ' +
      'fail at once (removing the score) instead of retrying until the operation times out.',
    default: false,
  }),
  unfence_if_all_uptodate: param.boolean({
    shortdesc: 'Remove the fencing constraint when all disks are UpToDate',
    longdesc: 'On a Primary whose local and peer disks are all UpToDate, monitor runs drbdadm unfence-peer.',
    default: false,
  }),
  require_drbd_module_version_ge: param.string({
    shortdesc: 'Lowest DRBD kernel module version accepted',
    longdesc: 'start fails (not installed) when the loaded DRBD module is older than this version.',
    default: '8.4.0',
    parse: version('require_drbd_module_version_ge'),
  }),
  require_drbd_module_version_lt: param.string({
    shortdesc: 'DRBD kernel module version from which the agent refuses to run',
    longdesc: 'start fails (not installed) when the loaded DRBD module is this version or newer.',
    default: '10.0.0',
    parse: version('require_drbd_module_version_lt'),
  }),
  event_watch: eventWatchParam('any change of the resource in `drbdsetup events2`: the local disk failed on the Primary is reported, and a peer that connects, disconnects or changes its disk state updates the promotion score at once'),
} as const;

export type DrbdParams = typeof drbdParams;

export type Ctx = ActionContext<DrbdParams>;
