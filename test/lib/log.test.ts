// SPDX-License-Identifier: GPL-2.0-or-later
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { execa } from 'execa';
import { createLogger, formatValue, logLevel, type Logger, type LoggerOptions } from '../../lib/log.js';
import { pacemakerEnv } from '../../scripts/tsha.js';

const PID = process.pid;
const DATE = /^[A-Z][a-z]{2} \d\d \d\d:\d\d:\d\d /;
const IPADDR2_MAIN = fileURLToPath(new URL('../../agents/IPaddr2/main.js', import.meta.url));
const LOG_MODULE = new URL('../../lib/log.js', import.meta.url).href;

/** The lines a logger writes, through a file in place of stderr. */
function linesOf(options: Omit<LoggerOptions, 'fd'>, use: (log: Logger) => void): string[] {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tsha-log-'));
  const file = path.join(dir, 'stderr');
  const fd = openSync(file, 'w');
  try {
    use(createLogger({ ...options, fd }));
    return readFileSync(file, 'utf8').split('\n').filter(Boolean);
  } finally {
    closeSync(fd);
    rmSync(dir, { recursive: true, force: true });
  }
}

// A syslog daemon's end of /dev/log: a unix datagram socket bound by python3 (Node cannot bind one), printing each
// datagram as a JSON string, until one holds the given text.
const RECEIVER = `
import json, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
print("ready", flush=True)
while True:
    d = s.recv(65536).decode()
    print(json.dumps(d), flush=True)
    if sys.argv[2] in d:
        break
`;

/** The datagrams a syslog socket receives while `during` runs, up to the one holding `until`. */
async function syslogDatagrams<T>(socket: string, until: string, during: () => Promise<T>): Promise<{ datagrams: string[]; result: T }> {
  const receiver = execa('python3', ['-c', RECEIVER, socket, until], { timeout: 30_000 });
  const datagrams: string[] = [];
  let result: T | undefined;
  // one loop over its lines: leaving an iteration early would close the pipe and kill the receiver
  for await (const line of receiver) {
    if (line === 'ready') result = await during();
    else datagrams.push(JSON.parse(line) as string);
  }
  return { datagrams, result: result as T };
}

/** IPaddr2 stop without `ip`: a real agent run whose one log line is `INFO: invalid environment, stop returns 0`. */
async function ipaddr2Stop(instance: string, env: Record<string, string>) {
  const base = pacemakerEnv({ agent: 'IPaddr2', instance, params: {}, meta: {}, inherit: { PATH: process.env.PATH } });
  const agent = execa(process.execPath, [IPADDR2_MAIN, 'stop'], { env: { ...base, ...env }, extendEnv: false, reject: false, stdin: 'ignore' });
  const { exitCode, stderr } = await agent;
  return { exitCode, stderr, pid: agent.pid };
}

describe('lib/log', () => {
  it('logs at debug when HA_debug=1, else at info', () => {
    expect(logLevel({ HA_debug: '1' })).to.equal('debug');
    expect(logLevel({ HA_debug: '0' })).to.equal('info');
    expect(logLevel({})).to.equal('info');
  });

  it('writes ocf_log lines: Agent(instance)[pid]: LEVEL: message key=value ...', () => {
    const lines = linesOf({ agent: 'MailTo', instance: 'mail1', action: 'start', env: {} }, (log) => {
      log.debug('hidden');
      log.info('mail sent', { event: 'start', recipients: ['root', 'ops'], rc: 0, timedOut: false, missing: undefined });
      log.warn('mail not sent', { stderr: 'sendmail: "x" refused', empty: '' });
      log.error('two\nlines', { detail: { code: 5 } });
    });
    expect(lines).to.deep.equal([
      `MailTo(mail1)[${PID}]: INFO: mail sent event=start recipients=["root","ops"] rc=0 timedOut=false`,
      `MailTo(mail1)[${PID}]: WARNING: mail not sent stderr="sendmail: \\"x\\" refused" empty=""`,
      `MailTo(mail1)[${PID}]: ERROR: two\\nlines detail={"code":5}`,
    ]);
  });

  it('quotes a value holding a space, a quote, an equals sign or a backslash, and only then', () => {
    expect(formatValue('eth1:ethcl1')).to.equal('eth1:ethcl1');
    expect(formatValue('/dev/drbd1')).to.equal('/dev/drbd1');
    expect(formatValue('two words')).to.equal('"two words"');
    expect(formatValue("it's")).to.equal('"it\'s"');
    expect(formatValue('a=b')).to.equal('"a=b"');
    expect(formatValue('C:\\')).to.equal('"C:\\\\"');
    expect(formatValue(null)).to.equal('null');
    expect(formatValue(['a b', 1])).to.equal('["a b",1]');
  });

  it('writes debug lines only with HA_debug, and tags a line without a resource as Agent[pid]', () => {
    const lines = linesOf({ agent: 'drbd', env: { HA_debug: '1' } }, (log) => {
      log.debug('promotion score', { decision: 'keep' });
      log.info('started');
    });
    expect(lines).to.deep.equal([`drbd[${PID}]: DEBUG: promotion score decision=keep`, `drbd[${PID}]: INFO: started`]);
  });

  it('writes pino JSON with TSHA_LOG_FORMAT=json, the caller fields under "fields" so no key repeats', () => {
    const lines = linesOf({ agent: 'IPaddr2', instance: 'ClusterIP', action: 'start', env: { TSHA_LOG_FORMAT: 'json' } }, (log) => {
      log.info('announcement continues in the background', { pid: 4242 });
    });
    expect(lines).to.have.length(1);
    expect(lines[0]!.match(/"pid":/g)).to.have.length(2); // the agent's, and the field's under "fields"
    const record = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(record).to.include({ ra: 'IPaddr2', rsc: 'ClusterIP', action: 'start', pid: PID, level: 30, msg: 'announcement continues in the background' });
    expect(record.fields).to.deep.equal({ pid: 4242 });
  });

  it('appends to HA_LOGFILE (no debug) and HA_DEBUGLOG (every line), each line dated; once when both are one file', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tsha-log-'));
    try {
      const logfile = path.join(dir, 'ha-log');
      const debuglog = path.join(dir, 'ha-debug');
      const use = (log: Logger) => {
        log.debug('looking');
        log.info('mounted', { directory: '/data' });
      };
      const stderr = linesOf({ agent: 'Filesystem', instance: 'ClusterFs', env: { HA_debug: '1', HA_LOGFILE: logfile, HA_DEBUGLOG: debuglog } }, use);
      const read = (file: string) => readFileSync(file, 'utf8').split('\n').filter(Boolean);
      expect(stderr).to.deep.equal([`Filesystem(ClusterFs)[${PID}]: DEBUG: looking`, `Filesystem(ClusterFs)[${PID}]: INFO: mounted directory=/data`]);
      expect(read(logfile).map((l) => l.replace(DATE, ''))).to.deep.equal([stderr[1]]);
      expect(read(debuglog).map((l) => l.replace(DATE, ''))).to.deep.equal(stderr);
      expect([...read(logfile), ...read(debuglog)].every((l) => DATE.test(l))).to.equal(true);

      const shared = path.join(dir, 'shared');
      linesOf({ agent: 'Filesystem', instance: 'ClusterFs', env: { HA_debug: '1', HA_LOGFILE: shared, HA_DEBUGLOG: shared } }, use);
      expect(read(shared).map((l) => l.replace(DATE, ''))).to.deep.equal(stderr);
      // without HA_debug, no debug line anywhere
      const quiet = path.join(dir, 'quiet');
      linesOf({ agent: 'Filesystem', instance: 'ClusterFs', env: { HA_DEBUGLOG: quiet } }, use);
      expect(read(quiet).map((l) => l.replace(DATE, ''))).to.deep.equal([stderr[1]]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('waits on a stderr pipe its reader has not emptied instead of dropping lines', async () => {
    // a node that logs 3000 lines (300 kB) into a pipe that python3 starts reading only a second later
    const writer = `import { createLogger } from '${LOG_MODULE}'; process.stderr; const log = createLogger({ agent: 'X', env: {} }); for (let i = 0; i < 3000; i++) log.info('line', { i, pad: 'x'.repeat(80) });`;
    const reader = `
import subprocess, sys, time
p = subprocess.Popen([sys.argv[1], "--input-type=module", "-e", sys.argv[2]], stderr=subprocess.PIPE)
time.sleep(1)
sys.stdout.write(p.stderr.read().decode())
sys.exit(p.wait())
`;
    const { stdout } = await execa('python3', ['-c', reader, process.execPath, writer], { timeout: 30_000 });
    const numbers = stdout.split('\n').map((l) => Number(/ i=(\d+) /.exec(l)?.[1]));
    expect(numbers).to.deep.equal(Array.from({ length: 3000 }, (_, i) => i));
  });

  it('sends an agent’s line to syslog with HA_LOGFACILITY=daemon (<30>, RFC 3164, the tag), none with "none"', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tsha-log-'));
    try {
      const socket = path.join(dir, 'log');
      const { datagrams, result: runs } = await syslogDatagrams(socket, 'IPaddr2(Second)', async () => ({
        silent: await ipaddr2Stop('First', { HA_LOGFACILITY: 'none', TSHA_SYSLOG_SOCKET: socket }),
        absent: await ipaddr2Stop('Absent', { HA_LOGFACILITY: 'daemon', TSHA_SYSLOG_SOCKET: path.join(dir, 'no-socket') }),
        sent: await ipaddr2Stop('Second', { HA_LOGFACILITY: 'daemon', TSHA_SYSLOG_SOCKET: socket }),
      }));
      const { silent, absent, sent } = runs;

      for (const run of [silent, absent, sent]) expect(run.exitCode, run.stderr).to.equal(0);
      expect(silent.stderr).to.match(/^IPaddr2\(First\)\[\d+\]: INFO: invalid environment, stop returns 0 reason="required parameter `ip` is not set"$/);
      expect(absent.stderr).to.match(/^IPaddr2\(Absent\)\[\d+\]: INFO: invalid environment/);
      const line = sent.stderr.trim();
      expect(line).to.equal(`IPaddr2(Second)[${sent.pid}]: INFO: invalid environment, stop returns 0 reason="required parameter \`ip\` is not set"`);
      // <facility daemon (3) * 8 + severity info (6)>, the time, the tag, the line after the tag
      expect(datagrams).to.have.length(1);
      expect(datagrams[0]).to.match(/^<30>[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d /);
      expect(datagrams[0]!.replace(/^<30>.{15} /, '')).to.equal(line);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
