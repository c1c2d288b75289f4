/**
 * Bytes → text for document files: UTF-8 (a BOM is dropped), and when a file is not valid UTF-8, latin-1
 * (every byte is a character, so it never fails). Fallbacks are counted so a loader warns once per dataset,
 * not once per file.
 */
const utf8 = new TextDecoder('utf-8', { fatal: true });

export class TextFileDecoder {
  /** Files decoded as latin-1 so far. */
  latin1 = 0;

  decode(bytes: Uint8Array): string {
    try {
      return utf8.decode(bytes);
    } catch {
      this.latin1++;
      return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
    }
  }

  /** Prints one warning line on stderr if any file needed the fallback; `what` names the source. */
  warn(what: string, unit = 'files'): void {
    if (this.latin1 > 0) console.warn(`warning: ${what}: ${this.latin1} ${unit} not valid UTF-8, decoded as latin-1`);
  }
}
