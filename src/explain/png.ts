/**
 * Pictures as PNG bytes (sharp): raw pixels to PNG with nearest-neighbour enlargement, and labelled strips
 * of tiles (labels drawn as SVG text and composited), used by the heat maps, the gallery and the report.
 */
import sharp, { type OverlayOptions } from 'sharp';
import type { ImageSplit } from '../data/types.js';

/** Raw pixels of one image, row-major [height, width, channels], channels 1 (grey) or 3 (RGB). */
export interface RawImage {
  height: number;
  width: number;
  channels: number;
  pixels: Uint8Array;
}

/** Image `index` of a split (a view, not a copy). */
export function splitImage(split: ImageSplit, index: number): RawImage {
  const size = split.height * split.width * split.channels;
  return { height: split.height, width: split.width, channels: split.channels, pixels: split.pixels.subarray(index * size, (index + 1) * size) };
}

/** The same image with 3 channels (grey repeated). */
export function toRgb(img: RawImage): RawImage {
  if (img.channels === 3) return img;
  const n = img.height * img.width;
  const out = new Uint8Array(n * 3);
  for (let i = 0; i < n; i++) out.fill(img.pixels[i * img.channels], i * 3, i * 3 + 3);
  return { height: img.height, width: img.width, channels: 3, pixels: out };
}

/** PNG of an image, enlarged `scale` times with nearest-neighbour pixels. */
export async function encodePng(img: RawImage, scale = 1): Promise<Buffer> {
  const s = sharp(Buffer.from(img.pixels.buffer, img.pixels.byteOffset, img.pixels.byteLength), {
    raw: { width: img.width, height: img.height, channels: img.channels as 1 | 3 },
  });
  return (scale === 1 ? s : s.resize(img.width * scale, img.height * scale, { kernel: 'nearest' })).png().toBuffer();
}

function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export interface Tile {
  png: Buffer;
  /** Lines of text drawn above the tile. */
  label?: string[];
}

/**
 * Tiles laid out in rows of `columns` on white, each with its label lines above it. Tiles may differ in size;
 * every cell is as large as the largest tile.
 */
export async function composeTiles(tiles: Tile[], opts: { columns?: number; gap?: number; fontSize?: number } = {}): Promise<Buffer> {
  const columns = Math.max(1, Math.min(opts.columns ?? tiles.length, tiles.length));
  const gap = opts.gap ?? 6;
  const font = opts.fontSize ?? 11;
  const metas = await Promise.all(tiles.map((t) => sharp(t.png).metadata()));
  const tw = Math.max(...metas.map((m) => m.width ?? 0));
  const th = Math.max(...metas.map((m) => m.height ?? 0));
  const lines = Math.max(0, ...tiles.map((t) => t.label?.length ?? 0));
  const labelH = lines ? lines * (font + 3) + 2 : 0;
  const cellW = Math.max(tw, lines ? 7 * font : 0);
  const rows = Math.ceil(tiles.length / columns);
  const width = columns * cellW + (columns + 1) * gap;
  const height = rows * (th + labelH) + (rows + 1) * gap;
  const layers: OverlayOptions[] = [];
  tiles.forEach((t, i) => {
    const left = gap + (i % columns) * (cellW + gap);
    const top = gap + Math.floor(i / columns) * (th + labelH + gap);
    if (t.label?.length) {
      const text = t.label
        .map((l, j) => `<text x="0" y="${(j + 1) * (font + 3) - 2}" font-family="sans-serif" font-size="${font}">${escapeXml(l)}</text>`)
        .join('');
      const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${cellW}" height="${labelH}">${text}</svg>`;
      layers.push({ input: Buffer.from(svg), left, top });
    }
    layers.push({ input: t.png, left, top: top + labelH });
  });
  return sharp({ create: { width, height, channels: 3, background: '#ffffff' } }).composite(layers).png().toBuffer();
}
