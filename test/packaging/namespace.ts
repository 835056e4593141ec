// SPDX-License-Identifier: GPL-2.0-or-later
// A private mount namespace held open by a sleeping process: mounts made in it (bind mounts of a package's
// payload over the installed paths, overlays that catch what dpkg writes) are seen by the commands run in it
// through nsenter, and never by the host; killing the holder ends them all.
import { execa } from 'execa';

export type RunOptions = { readonly cwd?: string; readonly env?: Record<string, string>; readonly extendEnv?: boolean };
export type RunResult = { readonly exitCode: number | undefined; readonly stdout: string; readonly stderr: string; readonly all: string };

export type MountNamespace = {
  /** Runs a command inside the namespace (same cwd, same environment unless options say otherwise); never throws. */
  run(file: string, args: readonly string[], options?: RunOptions): Promise<RunResult>;
  close(): Promise<void>;
};

/** `setup` is a /bin/sh script run first in the new namespace, with `args` as $1...; it fails the opening. */
export async function openMountNamespace(setup: string, args: readonly string[] = []): Promise<MountNamespace> {
  const holder = execa('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', `set -e\n${setup}\necho ready\nexec sleep infinity`, 'sh', ...args], {
    reject: false,
    stdin: 'ignore',
  });
  const ready = await new Promise<boolean>((resolve) => {
    holder.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('ready')) resolve(true);
    });
    void holder.then(() => resolve(false));
  });
  if (!ready || holder.pid === undefined) {
    const result = await holder;
    throw new Error(`the mount namespace's set-up failed (exit ${result.exitCode}): ${String(result.stderr)}`);
  }
  const pid = String(holder.pid);
  return {
    run: async (file, args2, options = {}) => {
      const result = await execa('nsenter', ['-t', pid, '-m', '--', file, ...args2], { ...options, reject: false, all: true, stdin: 'ignore' });
      return { exitCode: result.exitCode, stdout: String(result.stdout), stderr: String(result.stderr), all: String(result.all) };
    },
    close: async () => {
      holder.kill('SIGKILL');
      await holder;
    },
  };
}
