/**
 * The web explorer's script, bundled for the browser by `bundle.ts`: search by a database object, an uploaded
 * image or pasted text; results grid; the explanation of a (query, hit) pair as topic bars and region heat
 * maps drawn on canvases from /explain's numbers; the topic gallery. Topic weights are parsed as the server
 * parses them (`parseTopicWeights`), and the answers are typed by the routes that send them.
 */
import { parseTopicWeights } from '../../search/topics.js';
import { TOKEN_COOKIE } from '../token-cookie.js';
import type { ExplainResult } from '../routes/explain.js';
import type { ServiceInfo } from '../routes/pages.js';
import type { SearchResult } from '../routes/search.js';
import type { TopicsResult } from '../routes/topics.js';

interface State {
  info: ServiceInfo;
  page: number;
  queryId: string | null;
  explanation: ExplainResult | null;
  /** The topic the explanation shows, or null for all topics. */
  topic: number | null;
}

type Query = { id: string } | { text: string } | { file: File };

function $<T extends HTMLElement = HTMLElement>(id: string): T {
  const e = document.getElementById(id);
  if (!e) throw new Error(`page: no element #${id}`);
  return e as T;
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, children: Node[] = []): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'text') e.textContent = v;
    else e.setAttribute(k, v);
  }
  for (const c of children) e.appendChild(c);
  return e;
}

function showError(msg: string): void {
  const box = $('error');
  box.textContent = msg;
  box.hidden = !msg;
}

async function api<T>(path: string, init?: RequestInit): Promise<T> {
  const res = await fetch(path, init);
  const body = (await res.json().catch(() => ({ error: `HTTP ${res.status}` }))) as T & { error?: string };
  if (!res.ok) throw new Error(body.error ?? `HTTP ${res.status}`);
  return body;
}

const objectUrl = (id: string) => `/object/${encodeURIComponent(id)}`;

function explorer(info: ServiceInfo): void {
  const state: State = { info, page: 0, queryId: null, explanation: null, topic: null };

  function thumb(id: string, cls = ''): HTMLDivElement {
    const node = el('div', { class: `item ${cls}`, 'data-id': id });
    if (info.domain === 'image') node.appendChild(el('img', { src: objectUrl(id), alt: id }));
    return node;
  }

  function browse(): void {
    const box = $('browse');
    box.innerHTML = '';
    const per = info.domain === 'image' ? 30 : 8;
    const pages = Math.max(1, Math.ceil(info.objects / per));
    const start = (state.page % pages) * per;
    for (let i = start; i < Math.min(info.objects, start + per); i++) {
      const id = `${info.split}:${i}`;
      const node = thumb(id);
      node.appendChild(el('div', { text: id }));
      if (info.domain === 'text') {
        void fetch(objectUrl(id))
          .then((r) => r.text())
          .then((t) => node.appendChild(el('div', { class: 'preview', text: t.slice(0, 120) })));
      }
      node.onclick = () => void runSearch({ id });
      box.appendChild(node);
    }
  }

  async function runSearch(query: Query): Promise<void> {
    showError('');
    $('explain').hidden = true;
    $('status').textContent = 'searching…';
    try {
      const k = Number($<HTMLInputElement>('k').value) || 10;
      const weightsText = $<HTMLInputElement>('topics').value.trim();
      let res: SearchResult;
      if ('file' in query) {
        const qs = `?k=${k}${weightsText ? `&topics=${encodeURIComponent(weightsText)}` : ''}`;
        res = await api<SearchResult>(`/search${qs}`, { method: 'POST', headers: { 'content-type': query.file.type || 'application/octet-stream' }, body: query.file });
      } else {
        const body = { k, ...query, ...(weightsText ? { topicWeights: parseTopicWeights(weightsText, 'topic weights') } : {}) };
        res = await api<SearchResult>('/search', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      }
      showResults(res);
    } catch (e) {
      $('status').textContent = '';
      showError((e as Error).message);
    }
  }

  function showResults(res: SearchResult): void {
    state.queryId = res.query.id;
    const qs = $('query-show');
    qs.innerHTML = '';
    qs.appendChild(el('div', { text: `query ${res.query.id}` }));
    if (info.domain === 'image') qs.appendChild(el('img', { src: objectUrl(res.query.id), alt: 'query' }));
    $('status').textContent = `${res.hits.length} hits, ${res.tookMs} ms (${res.backend})`;
    const box = $('results');
    box.innerHTML = '';
    for (const h of res.hits) {
      const node = thumb(h.id, 'result');
      node.appendChild(el('div', { class: 'score', text: h.score.toFixed(3) }));
      node.appendChild(el('div', { text: `${h.id} · ${h.className}` }));
      if ('preview' in h && h.preview) node.appendChild(el('div', { class: 'preview', text: h.preview }));
      node.onclick = () => {
        for (const c of Array.from(box.children)) c.classList.remove('selected');
        node.classList.add('selected');
        void explain(h.id);
      };
      box.appendChild(node);
    }
  }

  async function explain(id: string): Promise<void> {
    showError('');
    try {
      state.explanation = await api<ExplainResult>(`/explain?a=${encodeURIComponent(state.queryId ?? '')}&b=${encodeURIComponent(id)}`);
      state.topic = null;
      drawExplanation();
    } catch (e) {
      showError((e as Error).message);
    }
  }

  /** Per-region contributions of one side, for the selected topic or summed over topics. */
  function regionTotals(rows: number[][]): number[] {
    return rows.map((r) => (state.topic === null ? r.reduce((a, b) => a + b, 0) : r[state.topic]));
  }

  function drawHeat(figure: HTMLElement, id: string, rows: number[][], grid: { rows: number; cols: number }): void {
    const size = 168;
    const canvas = el('canvas', { width: String(size), height: String(size), class: 'heatmap', 'data-id': id });
    figure.appendChild(canvas);
    const ctx = canvas.getContext('2d');
    if (!ctx) return;
    const totals = regionTotals(rows);
    const max = Math.max(...totals.map(Math.abs));
    const img = new Image();
    img.onload = () => {
      ctx.imageSmoothingEnabled = false;
      ctx.drawImage(img, 0, 0, size, size);
      const cw = size / grid.cols;
      const ch = size / grid.rows;
      totals.forEach((v, r) => {
        ctx.fillStyle = heatColor(v, max);
        ctx.fillRect((r % grid.cols) * cw, Math.floor(r / grid.cols) * ch, cw, ch);
      });
    };
    img.src = objectUrl(id);
  }

  function drawSegments(figure: HTMLElement, rows: number[][], words: string[][]): void {
    const totals = regionTotals(rows);
    const max = Math.max(...totals.map(Math.abs));
    const box = el('div', { class: 'segments' });
    words.forEach((seg, r) => {
      if (!seg.length) return;
      const span = el('span', { text: seg.join(' '), title: `segment ${r}: ${totals[r].toFixed(4)}` });
      span.style.background = heatColor(totals[r], max);
      box.appendChild(span);
      box.appendChild(document.createTextNode(' '));
    });
    figure.appendChild(box);
  }

  function drawExplanation(): void {
    const e = state.explanation;
    if (!e) return;
    const box = $('explain');
    box.hidden = false;
    box.innerHTML = '';
    box.appendChild(el('h3', { text: `s(${e.a}, ${e.b}) = ${e.score.toFixed(4)}${state.topic === null ? ' · all topics' : ` · topic ${state.topic}`}` }));
    const pair = el('div', { class: 'pair' });
    for (const side of ['a', 'b'] as const) {
      const fig = el('figure', {}, [el('figcaption', { text: e[side] })]);
      if (e.layout.kind === 'grid') drawHeat(fig, e[side], e.regions[side], e.layout);
      else drawSegments(fig, e.regions[side], e.layout[side]);
      pair.appendChild(fig);
    }
    box.appendChild(pair);
    const bars = el('div', { class: 'bars' });
    const top = [...e.topics].sort((x, y) => Math.abs(y.contribution) - Math.abs(x.contribution)).slice(0, 12);
    const max = Math.max(...top.map((t) => Math.abs(t.contribution)), 1e-9);
    const all = el('div', { class: `bar-row${state.topic === null ? ' active' : ''}`, text: 'all topics' });
    all.onclick = () => {
      state.topic = null;
      drawExplanation();
    };
    bars.appendChild(all);
    for (const t of top) {
      const w = (Math.abs(t.contribution) / max) * 160;
      const bar = el('div', { class: `bar ${t.contribution >= 0 ? 'pos' : 'neg'}` });
      bar.style.left = `${t.contribution >= 0 ? 160 : 160 - w}px`;
      bar.style.width = `${w}px`;
      const row = el('div', { class: `bar-row topic-bar${state.topic === t.topic ? ' active' : ''}` }, [
        el('span', { class: 'bar-label', text: `topic ${t.topic}` }),
        el('span', { class: 'bar-track' }, [bar]),
        el('span', { text: `${t.contribution >= 0 ? '+' : ''}${t.contribution.toFixed(4)}` }),
      ]);
      row.onclick = () => {
        state.topic = t.topic;
        drawExplanation();
      };
      bars.appendChild(row);
    }
    box.appendChild(bars);
  }

  $('search-view').hidden = false;
  browse();
  $('shuffle').onclick = () => {
    state.page++;
    browse();
  };
  $<HTMLInputElement>('upload').onchange = (ev) => {
    const f = (ev.target as HTMLInputElement).files?.[0];
    if (f) void runSearch({ file: f });
  };
  $('text-search').onclick = () => void runSearch({ text: $<HTMLTextAreaElement>('text').value });
}

/** Red for a positive contribution, blue for a negative one; opacity by |v| / max. */
function heatColor(v: number, max: number): string {
  const a = max > 0 ? Math.min(1, Math.abs(v) / max) * 0.75 : 0;
  return v >= 0 ? `rgba(216,85,58,${a})` : `rgba(58,110,216,${a})`;
}

async function gallery(): Promise<void> {
  const g = await api<TopicsResult>('/topics');
  const box = $('gallery');
  const maxUsage = Math.max(...g.items.map((t) => t.usage ?? 0), 1e-9);
  for (const t of g.items) {
    const card = el('div', { class: 'topic-card' }, [el('div', { text: `topic ${t.topic}${t.usage === null ? '' : ` · usage ${(100 * t.usage).toFixed(1)}%`}` })]);
    const usage = el('div', { class: 'usage' });
    usage.style.width = `${((t.usage ?? 0) / maxUsage) * 100}%`;
    card.appendChild(usage);
    if (g.renders) card.appendChild(el('img', { class: 'render', src: `/topics/${t.topic}/render.png`, alt: `render of topic ${t.topic}` }));
    if (t.words) card.appendChild(el('div', { text: t.words.join(', ') }));
    const top = el('div', { class: 'top' });
    for (const id of t.top) top.appendChild(g.domain === 'image' ? el('img', { src: objectUrl(id), title: id }) : el('div', { text: id }));
    card.appendChild(top);
    box.appendChild(card);
  }
}

/**
 * A page opened as `/#token=…` (the service's --token) keeps the token in a same-site cookie, which its requests
 * and images then carry; the token leaves the address bar.
 */
function adoptToken(): void {
  const m = /(?:^#|&)token=([^&]+)/.exec(location.hash);
  if (!m) return;
  document.cookie = `${TOKEN_COOKIE}=${m[1]}; path=/; SameSite=Strict`;
  history.replaceState(null, '', location.pathname + location.search);
}

async function main(): Promise<void> {
  adoptToken();
  const info = await api<ServiceInfo>('/info');
  document.body.classList.add(info.domain === 'image' ? 'images' : 'texts');
  if (info.domain === 'text') document.body.classList.add('text-mode');
  $('info').textContent = `${info.dataset} · ${info.objects} ${info.split} objects · ${info.topics} topics · ${info.backend}`;
  $<HTMLInputElement>('k').max = String(info.maxK);
  if (location.pathname === '/gallery') {
    $('gallery-view').hidden = false;
    return gallery();
  }
  explorer(info);
}

main().catch((e: Error) => showError(e.message));
