// SPDX-License-Identifier: GPL-2.0-or-later
import { expect } from 'chai';
import { buildMessage, encodeHeader, headerText, parseRecipients, rfc5322Date, subjectLine } from '../../../agents/MailTo/mail.js';

describe('MailTo mail building', () => {
  describe('parseRecipients', () => {
    it('splits on commas, semicolons and white space, dropping duplicates', () => {
      expect(parseRecipients(' root, ops@example.org;a.b+c@mail.example.org\tops@example.org ')).to.deep.equal({
        ok: true,
        list: ['root', 'ops@example.org', 'a.b+c@mail.example.org'],
      });
    });
    for (const bad of ['', ' , ', '-oQ/tmp', 'a$(id)', 'a`id`', 'x@-bad-', 'a|b', 'a<b>', 'root\nBcc: x@y']) {
      it(`refuses ${JSON.stringify(bad)}`, () => {
        expect(parseRecipients(bad).ok).to.equal(false);
      });
    }
  });

  it('folds CR, LF and other control characters in header text', () => {
    expect(headerText('a\r\nBcc: x\u0000y\tz')).to.equal('a Bcc: x y z');
  });

  it('encodes non-ASCII subjects as RFC 2047 words of at most 75 characters', () => {
    const encoded = encodeHeader('Bascule du serveur: données en réplication à fo2 — vérifiez le cluster maintenant');
    for (const word of encoded.split('\r\n ')) {
      expect(word).to.match(/^=\?UTF-8\?B\?[A-Za-z0-9+/=]+\?=$/);
      expect(word.length).to.be.at.most(75);
    }
    const decoded = encoded
      .split('\r\n ')
      .map((w) => Buffer.from(w.slice(10, -2), 'base64'))
      .reduce((a, b) => Buffer.concat([a, b]));
    expect(decoded.toString('utf8')).to.equal('Bascule du serveur: données en réplication à fo2 — vérifiez le cluster maintenant');
    expect(encodeHeader('plain ascii')).to.equal('plain ascii');
  });

  it('formats RFC 5322 dates in UTC', () => {
    expect(rfc5322Date(new Date(Date.UTC(2026, 10, 26, 0, 7, 5)))).to.equal('Thu, 26 Nov 2026 00:07:05 +0000');
  });

  it('builds heartbeat-compatible subjects and a message whose only headers are its own', () => {
    const input = {
      recipients: ['root', 'ops@example.org'],
      subject: 'FailOver_Home\nX-Injected: yes',
      event: 'start' as const,
      node: 'fo1.home.dom',
      resource: 'ClusterMailTo',
      date: new Date(Date.UTC(2026, 10, 26, 0, 0, 0)),
    };
    expect(subjectLine(input)).to.equal('FailOver_Home X-Injected: yes Takeover in progress at Thu, 26 Nov 2026 00:00:00 GMT on fo1.home.dom');
    expect(subjectLine({ ...input, event: 'stop' })).to.match(/^FailOver_Home .* Migrating resource away at .* from fo1\.home\.dom$/);
    const message = buildMessage(input);
    const split = message.indexOf('\n\n');
    const head = message.slice(0, split);
    const body = message.slice(split + 2);
    expect(head.split('\n').map((l) => l.split(':')[0])).to.deep.equal([
      'To',
      'Subject',
      'Date',
      'MIME-Version',
      'Content-Type',
      'Content-Transfer-Encoding',
      'Auto-Submitted',
      'X-Mailer',
    ]);
    expect(head).to.include('To: root, ops@example.org');
    expect(body).to.include('Command line was:');
  });
});
