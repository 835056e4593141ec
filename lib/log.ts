// SPDX-License-Identifier: GPL-2.0-or-later
// Logs go to stderr, which Pacemaker records; pino is loaded on the first log line only, so that meta-data and
// a quiet monitor do not pay for it.
import { createRequire } from 'node:module';

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
  readonly env: NodeJS.ProcessEnv;
  /** Where lines go: fd 2 unless a test passes another file descriptor. */
  readonly fd?: number;
};

type PinoLike = Record<'debug' | 'info' | 'warn' | 'error', (obj: object, msg: string) => void>;

export function logLevel(env: NodeJS.ProcessEnv): 'debug' | 'info' {
  const debug = env.HA_debug ?? env.OCF_RESKEY_HA_debug;
  return debug === '1' || debug === 'true' || debug === 'yes' ? 'debug' : 'info';
}

export function createLogger(options: LoggerOptions): Logger {
  let pinoLogger: PinoLike | undefined;
  const level = logLevel(options.env);
  const get = (): PinoLike => {
    if (!pinoLogger) {
      const require = createRequire(import.meta.url);
      const pino = require('pino') as typeof import('pino');
      const base: LogFields = { ra: options.agent, pid: process.pid };
      if (options.instance) base.rsc = options.instance;
      if (options.action) base.action = options.action;
      pinoLogger = pino.pino({ level, base }, pino.destination({ dest: options.fd ?? 2, sync: true })) as PinoLike;
    }
    return pinoLogger;
  };
  const at =
    (name: keyof PinoLike): LogFn =>
    (msg, fields) => {
      if (name === 'debug' && level !== 'debug') return;
      get()[name](fields ?? {}, msg);
    };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** A logger that drops everything, for pure code paths and tests. */
export const silentLogger: Logger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
