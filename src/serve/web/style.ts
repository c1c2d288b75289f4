/** The web explorer's stylesheet. */
export const STYLE_CSS = `
body { font-family: system-ui, sans-serif; margin: 0; color: #222; background: #fafafa; }
header { display: flex; gap: 1.5em; align-items: baseline; padding: 0.6em 1em; background: #24324a; color: #fff; }
header h1 { font-size: 1.2em; margin: 0; }
header a { color: #cde; margin-right: 0.8em; }
#info { font-size: 0.85em; color: #abc; }
main { display: flex; gap: 1.5em; padding: 1em; align-items: flex-start; }
#gallery-view:not([hidden]) { display: block; }
main[hidden] { display: none; }
#query-panel { width: 340px; flex: none; }
#results-panel { flex: 1; min-width: 0; }
h2 { font-size: 1.05em; margin: 0.2em 0 0.6em; }
h3 { font-size: 0.95em; }
.grid { display: flex; flex-wrap: wrap; gap: 8px; }
.item { background: #fff; border: 1px solid #ddd; border-radius: 4px; padding: 4px; cursor: pointer; width: 96px; font-size: 0.75em; }
.item:hover, .item.selected { border-color: #3a6ed8; box-shadow: 0 0 0 2px #3a6ed855; }
.item img, #query-show img { width: 84px; height: 84px; image-rendering: pixelated; display: block; margin: auto; }
.text-mode .item { width: 220px; }
.item .preview { max-height: 5.5em; overflow: hidden; color: #555; }
.item .score { font-weight: bold; }
#browse .item { width: 56px; }
#browse .item img { width: 48px; height: 48px; }
textarea { width: 100%; box-sizing: border-box; }
.options { margin: 0.6em 0; display: flex; gap: 0.8em; font-size: 0.85em; }
.options input { width: 5em; }
#error { background: #fde; border: 1px solid #d88; padding: 0.5em; margin-bottom: 0.6em; }
#explain { margin-top: 1em; background: #fff; border: 1px solid #ccd; border-radius: 4px; padding: 0.8em; }
.pair { display: flex; gap: 1.5em; flex-wrap: wrap; }
.pair figure { margin: 0; font-size: 0.8em; text-align: center; }
.bars { margin-top: 0.8em; font-size: 0.8em; }
.bar-row { display: flex; align-items: center; gap: 0.5em; margin: 2px 0; cursor: pointer; }
.bar-row.active { font-weight: bold; }
.bar-label { width: 5.5em; text-align: right; }
.bar-track { position: relative; width: 320px; height: 12px; background: #eef; }
.bar { position: absolute; top: 0; height: 12px; }
.bar.pos { background: #d8553a; } .bar.neg { background: #3a6ed8; }
.segments { max-width: 480px; text-align: left; line-height: 1.7; }
.segments span { padding: 1px 2px; border-radius: 3px; }
.topic-card { display: inline-block; vertical-align: top; width: 230px; margin: 0 8px 8px 0; background: #fff; border: 1px solid #ddd; border-radius: 4px; padding: 6px; font-size: 0.8em; }
.topic-card .render { width: 64px; height: 64px; image-rendering: pixelated; }
.topic-card .top img { width: 32px; height: 32px; image-rendering: pixelated; }
.usage { height: 6px; background: #3a6ed8; }
body.images .text-only, body.texts .image-only { display: none; }
`;
