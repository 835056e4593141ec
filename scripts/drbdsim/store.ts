// SPDX-License-Identifier: GPL-2.0-or-later
// The shared state folder: per node, per resource metadata ("on-disk" DRBD metadata), daemon socket, log.
//   <state>/nodes/<node>/<res>.meta.json   generation, disk state (atomic writes under a lock)
//   <state>/nodes/<node>/<res>.sock        the resource daemon's control socket (exists while up)
//   <state>/nodes/<node>/<res>.log         the daemon's log
import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmdirSync, statSync, writeSync } from 'node:fs';
import path from 'node:path';
import type { DiskState } from './types.js';

export type Meta = {
  disk: DiskState;
  gen: string;
  history: string[];
  /** a new generation was started since the last agreement with a peer */
  bumped: boolean;
  /** the peer is known to be Outdated (makes an attach come up UpToDate with fencing) */
  peerOutdated: boolean;
};

/** A freshly created metadata block: Inconsistent, no generation (`drbdadm create-md`). */
export function freshMeta(): Meta {
  return { disk: 'Inconsistent', gen: '0', history: [], bumped: false, peerOutdated: false };
}

export function nodeDir(stateDir: string, node: string): string {
  return path.join(stateDir, 'nodes', node);
}

/** The resources that have a daemon socket on a node (up, or a daemon that died without cleaning up). */
export function socketResources(stateDir: string, node: string): string[] {
  try {
    return readdirSync(nodeDir(stateDir, node))
      .filter((f) => f.endsWith('.sock'))
      .map((f) => f.slice(0, -'.sock'.length));
  } catch {
    return [];
  }
}

export const metaPath = (stateDir: string, node: string, res: string): string => path.join(nodeDir(stateDir, node), `${res}.meta.json`);
export const socketPath = (stateDir: string, node: string, res: string): string => path.join(nodeDir(stateDir, node), `${res}.sock`);
export const logPath = (stateDir: string, node: string, res: string): string => path.join(nodeDir(stateDir, node), `${res}.log`);
const lockPath = (stateDir: string, node: string, res: string): string => path.join(nodeDir(stateDir, node), `${res}.lock`);

export function readMeta(stateDir: string, node: string, res: string): Meta | undefined {
  try {
    const data = JSON.parse(readFileSync(metaPath(stateDir, node, res), 'utf8')) as Partial<Meta>;
    return { ...freshMeta(), ...data };
  } catch {
    return undefined;
  }
}

/** Atomic: write a temporary file, fsync, rename. */
export function writeMeta(stateDir: string, node: string, res: string, meta: Meta): void {
  const dir = nodeDir(stateDir, node);
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  const target = metaPath(stateDir, node, res);
  const temp = `${target}.${process.pid}.tmp`;
  const fd = openSync(temp, 'wx', 0o644);
  try {
    writeSync(fd, `${JSON.stringify(meta, null, 2)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temp, target);
}

/**
 * A lock shared across PID and network namespaces (they share the filesystem): mkdir is atomic. A lock
 * older than `staleMs` is taken over (its holder died: the node crashed).
 */
export async function withLock<T>(stateDir: string, node: string, res: string, fn: () => Promise<T>, staleMs = 30_000): Promise<T> {
  const dir = nodeDir(stateDir, node);
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  const lock = lockPath(stateDir, node, res);
  const deadline = Date.now() + staleMs + 5_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      try {
        if (Date.now() - statSync(lock).mtimeMs > staleMs) rmdirSync(lock);
      } catch {
        // gone meanwhile
      }
      if (Date.now() > deadline) throw new Error(`cannot lock ${lock}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  try {
    return await fn();
  } finally {
    try {
      rmdirSync(lock);
    } catch {
      // already removed
    }
  }
}

/** Every node folder and the resources it has metadata or a socket for. */
export function listNodes(stateDir: string): { node: string; resources: string[] }[] {
  let nodes: string[];
  try {
    nodes = readdirSync(path.join(stateDir, 'nodes')).sort();
  } catch {
    return [];
  }
  return nodes.map((node) => {
    const names = new Set<string>();
    try {
      for (const f of readdirSync(nodeDir(stateDir, node))) {
        const m = /^(.+)\.(meta\.json|sock)$/.exec(f);
        if (m) names.add(m[1] as string);
      }
    } catch {
      // removed meanwhile
    }
    return { node, resources: [...names].sort() };
  });
}
