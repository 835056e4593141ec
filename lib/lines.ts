// SPDX-License-Identifier: GPL-2.0-or-later
// Lines out of a stream that arrives in chunks (a command's stdout, a socket): a chunk may end inside a line, or
// hold several. The one place that splits such a stream, for Exec.watch and drbdsim's message framing.

/**
 * An incremental line splitter: `push` returns the lines a chunk completes, and keeps the unterminated rest for
 * the next chunk; `end` returns that rest when the stream is over. Only `\n` ends a line and is dropped; a `\r`
 * before it stays in the line, and empty lines are lines too (what to skip is the caller's business).
 */
export class LineSplitter {
  private tail = '';

  /** The lines completed by `chunk`, in order; none when it holds no newline. */
  push(chunk: string): string[] {
    const parts = (this.tail + chunk).split('\n');
    this.tail = parts.pop() as string;
    return parts;
  }

  /** The last line of a stream that did not end with a newline, or undefined; the splitter is empty after it. */
  end(): string | undefined {
    const rest = this.tail;
    this.tail = '';
    return rest === '' ? undefined : rest;
  }
}
