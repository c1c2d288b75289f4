/** Small helpers for the self-contained HTML the explanations write: escaping, data URIs, a page shell. */

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** An inline `<img>` of PNG bytes. */
export function pngImg(png: Buffer, alt: string): string {
  return `<img alt="${escapeHtml(alt)}" src="data:image/png;base64,${png.toString('base64')}">`;
}

const STYLE = `body{font-family:system-ui,sans-serif;margin:1.5em;color:#222}h1,h2,h3{font-weight:600}
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 8px;text-align:right}th:first-child,td:first-child{text-align:left}
.sadsl-topic{margin:0.6em 0;padding:0.4em;border-bottom:1px solid #eee}.sadsl-topic img{image-rendering:pixelated;vertical-align:middle;margin-right:1em}
.sadsl-strip img{image-rendering:pixelated}.sadsl-words{color:#555}.sadsl-highlight{border:1px solid #ddd;padding:0.5em;margin:0.5em 0}`;

/** A complete HTML document (UTF-8, inline style, no external resources). */
export function htmlPage(title: string, body: string): string {
  return `<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title><style>${STYLE}</style></head><body>\n${body}\n</body></html>\n`;
}
