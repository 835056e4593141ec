// SPDX-License-Identifier: GPL-2.0-or-later
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { frame, MessageReader, readMessages, send } from '../../../scripts/drbdsim/framing.js';

describe('drbdsim framing (line-delimited JSON)', () => {
  it('frames a message as its JSON on one line', () => {
    expect(frame({ op: 'connect', peer: 1, discardMyData: false })).to.equal('{"op":"connect","peer":1,"discardMyData":false}\n');
    // a newline inside a string is escaped by JSON: one message stays one line
    expect(frame({ text: 'a\nb' }).split('\n')).to.have.length(2);
  });

  it('reads messages cut anywhere, skipping blank lines, and a last one without newline at the end', () => {
    const text = `${frame({ t: 'ping' })}\n  \n${frame({ t: 'sync', done: 25 })}{"t":"bye"}`;
    for (let cut = 0; cut <= text.length; cut++) {
      const got: unknown[] = [];
      const reader = new MessageReader<unknown>((msg) => got.push(msg));
      reader.push(text.slice(0, cut));
      reader.push(text.slice(cut));
      expect(got).to.deep.equal([{ t: 'ping' }, { t: 'sync', done: 25 }]);
      reader.end();
      expect(got).to.deep.equal([{ t: 'ping' }, { t: 'sync', done: 25 }, { t: 'bye' }]);
    }
  });

  it('hands a line that is not JSON, or that the handler throws on, to onBad and reads on', () => {
    const got: unknown[] = [];
    const bad: string[] = [];
    const reader = new MessageReader<{ t: string }>(
      (msg) => {
        if (msg.t === 'boom') throw new Error('handler failed');
        got.push(msg);
      },
      (error) => bad.push(error instanceof SyntaxError ? 'syntax' : String(error)),
    );
    reader.push('{"t":"ping"}\nnot json\n{"t":"boom"}\n{"t":"bye"}\n');
    expect(got).to.deep.equal([{ t: 'ping' }, { t: 'bye' }]);
    expect(bad).to.deep.equal(['syntax', 'Error: handler failed']);
  });

  it('throws a bad line by default', () => {
    const reader = new MessageReader<unknown>(() => undefined);
    expect(() => reader.push('{"t":\n')).to.throw(SyntaxError);
  });

  it('carries messages both ways over a real socket, the last one before the end included', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tsha-framing-'));
    const file = path.join(dir, 'test.sock');
    const server = net.createServer((sock) => {
      readMessages<{ op: string; n: number }>(sock, (req) => {
        // many replies in one write, then one without newline as the socket ends
        sock.write(Array.from({ length: req.n }, (_, i) => frame({ i })).join(''));
        sock.end(JSON.stringify({ done: req.op }));
      });
    });
    try {
      await new Promise<void>((resolve) => server.listen(file, resolve));
      const got = await new Promise<unknown[]>((resolve, reject) => {
        const sock = net.connect(file);
        const msgs: unknown[] = [];
        sock.on('error', reject);
        sock.on('connect', () => send(sock, { op: 'count', n: 500 }));
        readMessages(sock, (msg) => msgs.push(msg), reject);
        sock.on('close', () => resolve(msgs));
      });
      expect(got).to.have.length(501);
      expect(got[0]).to.deep.equal({ i: 0 });
      expect(got[499]).to.deep.equal({ i: 499 });
      expect(got[500]).to.deep.equal({ done: 'count' });
    } finally {
      server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('send() skips a socket that was ended or is missing (a writer after the end would get an error event)', async () => {
    const sock = new net.Socket();
    const errors: string[] = [];
    sock.on('error', (error: NodeJS.ErrnoException) => errors.push(error.code ?? String(error)));
    sock.end();
    send(sock, { t: 'ping' });
    send(undefined, { t: 'ping' });
    await new Promise((resolve) => setImmediate(resolve));
    expect(errors).to.deep.equal([]);
  });
});
