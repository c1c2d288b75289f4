/**
 * Mail-header stripping for 20 News posts (docs/model.md §6.1: mail headers other than Subject stripped, the body kept),
 * as the reference does: the headers end at the first blank line; only the Subject header's value is kept
 * (`Subject: Re: foo` → `Re: foo`, a folded continuation line included), then the body with its quoted reply
 * lines. A post without a blank line has no header block and is kept whole. CRLF line ends are read as LF.
 */
export function stripMailHeaders(post: string): string {
  const text = post.includes('\r') ? post.replace(/\r\n?/g, '\n') : post;
  const end = text.indexOf('\n\n');
  if (end < 0) return text;
  const subject: string[] = [];
  let inSubject = false;
  for (const line of text.slice(0, end).split('\n')) {
    if (/^subject:/i.test(line)) {
      subject.push(line.slice('subject:'.length).trim());
      inSubject = true;
    } else if (inSubject && /^[ \t]/.test(line)) {
      subject.push(line.trim());
    } else {
      inSubject = false;
    }
  }
  const body = text.slice(end + 2);
  return subject.length > 0 ? `${subject.join(' ')}\n\n${body}` : body;
}
