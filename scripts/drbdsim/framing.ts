// SPDX-License-Identifier: GPL-2.0-or-later
// Line-delimited JSON, the one framing of every simulator socket (control, events2 subscriptions, peer link):
// a message is its JSON on one line. Used by both ends: client.ts and the daemon's modules.
import type net from 'node:net';
import { LineSplitter } from '../../lib/lines.js';

/** A message as it goes on the wire. */
export function frame(msg: object): string {
  return `${JSON.stringify(msg)}\n`;
}

/** Writes a message if the socket can still take it (a peer may be gone, or a socket already ended). */
export function send(sock: net.Socket | undefined, msg: object): void {
  if (sock && !sock.destroyed && sock.writable) sock.write(frame(msg));
}

const rethrow = (error: unknown): never => {
  throw error;
};

/**
 * Reads messages out of a stream's chunks: blank lines are skipped, and a last line without a newline counts when
 * the stream ends. A line that is not JSON, or that `onMessage` throws on, goes to `onBad` (thrown by default) and
 * the next line is read as usual. Messages are not checked against T: both ends are the simulator's own.
 */
export class MessageReader<T> {
  private readonly lines = new LineSplitter();

  constructor(
    private readonly onMessage: (msg: T) => void,
    private readonly onBad: (error: unknown) => void = rethrow,
  ) {}

  push(chunk: string): void {
    for (const line of this.lines.push(chunk)) this.line(line);
  }

  end(): void {
    const last = this.lines.end();
    if (last !== undefined) this.line(last);
  }

  private line(text: string): void {
    if (!text.trim()) return;
    try {
      this.onMessage(JSON.parse(text) as T);
    } catch (error) {
      this.onBad(error);
    }
  }
}

/** Feeds a socket's incoming messages to `onMessage` (see MessageReader). */
export function readMessages<T>(sock: net.Socket, onMessage: (msg: T) => void, onBad?: (error: unknown) => void): void {
  const reader = new MessageReader<T>(onMessage, onBad);
  sock.setEncoding('utf8');
  sock.on('data', (chunk: string) => reader.push(chunk));
  sock.on('end', () => reader.end());
}
