// SPDX-License-Identifier: GPL-2.0-or-later
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { createLogger, logLevel } from '../../lib/log.js';

describe('lib/log', () => {
  it('logs at debug when HA_debug=1, else at info', () => {
    expect(logLevel({ HA_debug: '1' })).to.equal('debug');
    expect(logLevel({ HA_debug: '0' })).to.equal('info');
    expect(logLevel({})).to.equal('info');
  });

  it('writes JSON lines tagged with agent, resource and action', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tsha-log-'));
    const file = path.join(dir, 'log');
    const fd = openSync(file, 'w');
    try {
      const log = createLogger({ agent: 'MailTo', instance: 'mail1', action: 'start', env: {}, fd });
      log.debug('hidden');
      log.info('mail sent', { recipients: ['root'] });
      log.warn('careful');
      const lines = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(lines).to.have.length(2);
      expect(lines[0]).to.include({ ra: 'MailTo', rsc: 'mail1', action: 'start', msg: 'mail sent', level: 30 });
      expect(lines[0]!.recipients).to.deep.equal(['root']);
      expect(lines[1]).to.include({ msg: 'careful', level: 40 });
    } finally {
      closeSync(fd);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
