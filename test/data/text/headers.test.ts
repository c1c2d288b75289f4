import { describe, expect, it } from 'vitest';
import { stripMailHeaders } from '../../../src/data/text/headers.js';

describe('stripMailHeaders', () => {
  it('keeps only the Subject value and the whole body, quotes included', () => {
    const post = [
      'From: someone@example.com (Some One)',
      'Subject: Re: Orbital mechanics',
      'Organization: Nowhere',
      'Lines: 3',
      '',
      'In article <1@x> other@y writes:',
      '> quoted reply line',
      '',
      'My answer.',
    ].join('\n');
    expect(stripMailHeaders(post)).toBe('Re: Orbital mechanics\n\nIn article <1@x> other@y writes:\n> quoted reply line\n\nMy answer.');
  });

  it('reads a folded Subject and CRLF line ends, any case of the header name', () => {
    expect(stripMailHeaders('SUBJECT: long\r\n  subject line\r\nFrom: a\r\n\r\nbody\r\n')).toBe('long subject line\n\nbody\n');
  });

  it('keeps only the body when there is no Subject, and the whole text when there is no header block', () => {
    expect(stripMailHeaders('From: a\nLines: 1\n\nbody text')).toBe('body text');
    expect(stripMailHeaders('just one paragraph\nno blank line')).toBe('just one paragraph\nno blank line');
  });
});
