// SPDX-License-Identifier: GPL-2.0-or-later
// Talking to a resource daemon over its unix socket, and starting one.
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { frame, readMessages } from './framing.js';
import type { DaemonArgs, Event, Reply, Request } from './protocol.js';
import { logPath, nodeDir, socketPath } from './store.js';
import type { ResourceSnap } from './types.js';

/** One request, one reply; rejects when the resource is not up (no daemon listening). */
export function queryDaemon(stateDir: string, node: string, res: string, req: Request, timeoutMs = 15_000): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(socketPath(stateDir, node, res));
    let reply: Reply | undefined;
    let bad: unknown;
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error('daemon did not answer'));
    }, timeoutMs);
    sock.on('connect', () => sock.write(frame(req)));
    // the daemon ends the connection after its reply
    readMessages<Reply>(
      sock,
      (msg) => {
        reply ??= msg;
      },
      (error) => {
        bad ??= error;
      },
    );
    sock.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    sock.on('close', () => {
      clearTimeout(timer);
      if (reply) resolve(reply);
      else reject(bad instanceof Error ? bad : new Error('no reply'));
    });
  });
}

/** The state of a resource on a node, or undefined when it is not up there. */
export async function snapshotOf(stateDir: string, node: string, res: string): Promise<ResourceSnap | undefined> {
  try {
    const reply = await queryDaemon(stateDir, node, res, { op: 'snapshot' }, 5_000);
    return 'snap' in reply ? reply.snap : undefined;
  } catch {
    return undefined;
  }
}

export type Subscription = { close: () => void };

/**
 * Follows a resource: `onSnap` gets the current state then every change; `onEnd` when the resource goes down
 * (or the daemon dies with its node). Rejects when the resource is not up.
 */
export function subscribe(
  stateDir: string,
  node: string,
  res: string,
  onSnap: (snap: ResourceSnap) => void,
  onEnd: () => void,
): Promise<Subscription> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(socketPath(stateDir, node, res));
    let started = false;
    sock.on('connect', () => {
      started = true;
      sock.write(frame({ op: 'subscribe' } satisfies Request));
      resolve({ close: () => sock.destroy() });
    });
    readMessages<Event>(sock, (msg) => {
      if (msg.t === 'snap') onSnap(msg.snap);
    });
    sock.on('error', (error) => {
      if (!started) reject(error);
    });
    sock.on('close', () => {
      if (started) onEnd();
    });
  });
}

const here = path.dirname(fileURLToPath(import.meta.url));

/**
 * Starts the detached daemon of a resource (it outlives drbdadm; in a lab node it lives in the node's PID
 * namespace and dies with it) and waits until it answers. Returns the daemon's error text on failure.
 */
export async function startDaemon(args: DaemonArgs): Promise<string | undefined> {
  const { stateDir } = args.sim;
  mkdirSync(nodeDir(stateDir, args.node), { recursive: true, mode: 0o755 });
  const logFile = logPath(stateDir, args.node, args.config.name);
  const fd = openSync(logFile, 'a', 0o644);
  const errFile = `${logFile}.start-error`;
  const errFd = openSync(errFile, 'w', 0o644);
  let exited: number | null | undefined;
  try {
    const child = spawn(process.execPath, [path.join(here, 'daemon-main.js'), JSON.stringify(args)], {
      detached: true,
      stdio: ['ignore', fd, errFd],
      cwd: '/',
    });
    child.on('exit', (code) => {
      exited = code;
    });
    child.unref();
  } finally {
    closeSync(fd);
    closeSync(errFd);
  }
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (exited !== undefined) break;
    try {
      const reply = await queryDaemon(stateDir, args.node, args.config.name, { op: 'info' }, 2_000);
      if (reply.rc === 0) {
        rmSync(errFile, { force: true });
        return undefined;
      }
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  let text = '';
  try {
    text = readFileSync(errFile, 'utf8').trim();
  } catch {
    // no error file
  }
  return text || 'the resource daemon did not start';
}
