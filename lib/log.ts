// SPDX-License-Identifier: GPL-2.0-or-later
// Agent logs in the form and places of the shell agents' ocf_log (resource-agents' ocf-shellfuncs): one line per
// message, `Agent(instance)[pid]: LEVEL: message key=value ...`, on stderr (Pacemaker records it in its log), to
// syslog with HA_LOGFACILITY and that tag, appended to HA_LOGFILE and HA_DEBUGLOG; debug lines only with HA_debug.
// pino is the logger: its JSON lines reach the destinations through the sink below, which turns them into that
// form, or keeps them as JSON with TSHA_LOG_FORMAT=json. pino, the sink and syslog are set up on the first line
// only, so meta-data and a quiet monitor load none of it.
import { appendFileSync, statSync, writeSync } from 'node:fs';
import { nodeRequire } from './node-require.js';
import { withSystemPath } from './ocf/env.js';

export type LogFields = Record<string, unknown>;
export type LogFn = (msg: string, fields?: LogFields) => void;
export type Logger = {
  readonly debug: LogFn;
  readonly info: LogFn;
  readonly warn: LogFn;
  readonly error: LogFn;
};

export type LoggerOptions = {
  readonly agent: string;
  readonly instance?: string | undefined;
  readonly action?: string | undefined;
  /** HA_debug, HA_LOGFACILITY, HA_LOGFILE, HA_DEBUGLOG, TSHA_LOG_FORMAT; TSHA_SYSLOG_SOCKET (tests) for /dev/log. */
  readonly env: NodeJS.ProcessEnv;
  /** Where lines go: fd 2 unless a test passes another file descriptor. */
  readonly fd?: number;
};

type PinoLike = Record<'debug' | 'info' | 'warn' | 'error', (objOrMsg: object | string, msg?: string) => void>;
/** One pino line, parsed; the caller's fields sit under `fields` (pino's nestedKey), so none can clash with pid. */
type PinoRecord = { level: number; time: number; msg: string; fields?: LogFields };

const DEFAULT_SYSLOG_SOCKET = '/dev/log';
// pino's level numbers → ocf_log's words and syslog severities (ocf_log: err → ERROR, warn → WARNING)
const LEVELS: Record<number, { word: string; severity: number }> = {
  20: { word: 'DEBUG', severity: 7 },
  30: { word: 'INFO', severity: 6 },
  40: { word: 'WARNING', severity: 4 },
  50: { word: 'ERROR', severity: 3 },
};
const FACILITIES: Record<string, number> = {
  kern: 0, user: 1, mail: 2, daemon: 3, auth: 4, syslog: 5, lpr: 6, news: 7, uucp: 8, cron: 9, authpriv: 10, ftp: 11,
  local0: 16, local1: 17, local2: 18, local3: 19, local4: 20, local5: 21, local6: 22, local7: 23,
};
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

export function logLevel(env: NodeJS.ProcessEnv): 'debug' | 'info' {
  const debug = env.HA_debug ?? env.OCF_RESKEY_HA_debug;
  return debug === '1' || debug === 'true' || debug === 'yes' ? 'debug' : 'info';
}

/** ocf_log's tag: `Agent(instance)[pid]`, or `Agent[pid]` without a resource. */
export function logTag(agent: string, instance: string | undefined, pid: number): string {
  return instance && instance !== agent ? `${agent}(${instance})[${pid}]` : `${agent}[${pid}]`;
}

/** A field value as it reads after `key=`: bare when it is one plain word, else quoted; objects as compact JSON. */
export function formatValue(value: unknown): string {
  if (typeof value === 'string') return /^[^\s"'=\\]+$/.test(value) ? value : JSON.stringify(value);
  if (value === null || typeof value !== 'object') return String(value);
  return JSON.stringify(value);
}

/** `LEVEL: message key=value ...`, the part after the tag; line breaks are escaped so a message stays one line. */
export function formatMessage(level: number, msg: string, fields: LogFields = {}): string {
  const pairs = Object.entries(fields)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => ` ${key}=${formatValue(value)}`);
  return `${LEVELS[level]?.word ?? 'NOTICE'}: ${msg.replace(/\r?\n/g, '\\n')}${pairs.join('')}`;
}

/** The time before each line of HA_LOGFILE and HA_DEBUGLOG, as ocf-shellfuncs' default HA_DATEFMT (%b %d %T). */
export function fileDate(time: number): string {
  const d = new Date(time);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${MONTHS[d.getMonth()]} ${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}

/** The syslog facility number of HA_LOGFACILITY; undefined when unset, "none" or unknown (ocf_log sends nothing). */
export function syslogFacility(env: NodeJS.ProcessEnv): number | undefined {
  const name = env.HA_LOGFACILITY ?? '';
  return Object.hasOwn(FACILITIES, name) ? FACILITIES[name] : undefined;
}

export function createLogger(options: LoggerOptions): Logger {
  let pinoLogger: PinoLike | undefined;
  const level = logLevel(options.env);
  const get = (): PinoLike => {
    if (!pinoLogger) {
      const pino = nodeRequire('pino') as typeof import('pino');
      const base: LogFields = { ra: options.agent, pid: process.pid };
      if (options.instance) base.rsc = options.instance;
      if (options.action) base.action = options.action;
      pinoLogger = pino.pino({ level, base, nestedKey: 'fields' }, createSink(options)) as PinoLike;
    }
    return pinoLogger;
  };
  const at =
    (name: keyof PinoLike): LogFn =>
    (msg, fields) => {
      if (name === 'debug' && level !== 'debug') return;
      if (fields && Object.keys(fields).length > 0) get()[name](fields, msg);
      else get()[name](msg);
    };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** pino's destination: each JSON line it writes goes, in the chosen form, to every place ocf_log would use. */
function createSink(options: LoggerOptions): { write(json: string): void } {
  const { env } = options;
  const json = env.TSHA_LOG_FORMAT === 'json';
  const tag = logTag(options.agent, options.instance, process.pid);
  const fd = options.fd ?? 2;
  const syslog = openSyslog(env, tag);
  const append = (file: string | undefined, text: string) => {
    if (!file) return;
    try {
      appendFileSync(file, text);
    } catch {
      // a log file that cannot be written must not fail the operation (ocf_log's `>>` fails alone too)
    }
  };
  return {
    write(line: string) {
      const record = JSON.parse(line) as PinoRecord;
      const message = json ? line.trimEnd() : formatMessage(record.level, record.msg, record.fields);
      const text = json ? message : `${tag}: ${message}`;
      writeAll(fd, `${text}\n`);
      const debug = record.level < 30;
      const dated = `${fileDate(record.time)} ${text}\n`;
      // HA_LOGFILE has no debug lines; HA_DEBUGLOG has every line, except those already in HA_LOGFILE when both
      // name the same file
      if (!debug) append(env.HA_LOGFILE, dated);
      if (debug || env.HA_DEBUGLOG !== env.HA_LOGFILE) append(env.HA_DEBUGLOG, dated);
      syslog?.(LEVELS[record.level]?.severity ?? 5, message);
    },
  };
}

/**
 * Writes the whole text to fd as a blocking write would: Node makes a stderr pipe non-blocking, so a pipe that
 * its reader has not emptied answers EAGAIN, and the write waits and goes on, as pino's synchronous destination
 * does. A closed stderr drops the line; the other places still get it.
 */
export function writeAll(fd: number, text: string): void {
  const bytes = Buffer.from(text);
  for (let written = 0; written < bytes.length; ) {
    try {
      written += writeSync(fd, bytes, written);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') return;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
    }
  }
}

/**
 * A function sending one message to syslog, or undefined when HA_LOGFACILITY asks for none or there is no socket.
 * Node cannot write to a unix datagram socket (dgram is UDP only; net is stream only), and the npm clients that
 * can are native builds (unix-dgram, node-unix-socket), which the noarch packages cannot ship. So the messages go
 * through util-linux's `logger`, as ocf_log's do: one process per agent run, started at the first message,
 * reading `<PRI>message` lines (--prio-prefix) and sending each as an RFC 3164 datagram with the tag. It is
 * spawned here rather than by lib/exec because it is not one of the action's commands: detached, outside the
 * action's deadline and its exit hook, it ends by itself when the agent exits and closes the pipe, after sending
 * what it read.
 */
function openSyslog(env: NodeJS.ProcessEnv, tag: string): ((severity: number, message: string) => void) | undefined {
  const facility = syslogFacility(env);
  if (facility === undefined) return undefined;
  const socket = env.TSHA_SYSLOG_SOCKET || DEFAULT_SYSLOG_SOCKET;
  try {
    if (!statSync(socket).isSocket()) return undefined;
  } catch {
    return undefined; // no syslog daemon here (a container, a lab node): ocf_log's logger sends nothing either
  }
  let input: { write(text: string): unknown } | undefined;
  return (severity, message) => {
    input ??= spawnLogger(env, socket, tag);
    input.write(`<${facility * 8 + severity}>${message}\n`);
  };
}

function spawnLogger(env: NodeJS.ProcessEnv, socket: string, tag: string): { write(text: string): unknown } {
  const { spawn } = nodeRequire('node:child_process') as typeof import('node:child_process');
  const child = spawn('logger', ['--prio-prefix', '--socket', socket, '--tag', tag], {
    detached: true,
    stdio: ['pipe', 'ignore', 'ignore'],
    env: { PATH: withSystemPath(env.PATH), LC_ALL: 'C' },
  });
  // no logger, or it died: syslog stays silent, as when the socket is absent
  child.on('error', () => {});
  child.stdin!.on('error', () => {});
  // the agent does not wait for it; lines written to the pipe are sent after the agent exits
  child.unref();
  (child.stdin as unknown as { unref(): void }).unref();
  return child.stdin!;
}

/** A logger that drops everything, for pure code paths and tests. */
export const silentLogger: Logger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
