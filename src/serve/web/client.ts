/**
 * The web explorer's script (plain browser JavaScript, no build step): search by a database object, an
 * uploaded image or pasted text; results grid; the explanation of a (query, hit) pair as topic bars and
 * region heat maps drawn on canvases from /explain's numbers; the topic gallery.
 */
export const CLIENT_JS = String.raw`'use strict';
var state = { info: null, page: 0, queryId: null, explanation: null, topic: null };
var $ = function (id) { return document.getElementById(id); };

function el(tag, attrs, children) {
  var e = document.createElement(tag);
  Object.keys(attrs || {}).forEach(function (k) {
    if (k === 'text') e.textContent = attrs[k]; else if (k === 'onclick') e.onclick = attrs[k]; else e.setAttribute(k, attrs[k]);
  });
  (children || []).forEach(function (c) { e.appendChild(c); });
  return e;
}

function showError(msg) {
  var box = $('error');
  box.textContent = msg;
  box.hidden = !msg;
}

async function api(path, init) {
  var res = await fetch(path, init);
  var body = await res.json().catch(function () { return { error: 'HTTP ' + res.status }; });
  if (!res.ok) throw new Error(body.error || ('HTTP ' + res.status));
  return body;
}

function parseWeights(text) {
  var out = {};
  text.split(',').map(function (s) { return s.trim(); }).filter(Boolean).forEach(function (p) {
    var m = /^(\d+):(.+)$/.exec(p);
    if (!m) throw new Error('topic weights: expected topic:weight pairs such as 3:2,7:0, got ' + p);
    out[m[1]] = Number(m[2]);
  });
  return out;
}

function thumb(id, cls) {
  var node = el('div', { class: 'item ' + (cls || ''), 'data-id': id });
  if (state.info.domain === 'image') node.appendChild(el('img', { src: '/object/' + encodeURIComponent(id), alt: id }));
  return node;
}

function browse() {
  var box = $('browse');
  box.innerHTML = '';
  var per = state.info.domain === 'image' ? 30 : 8;
  var pages = Math.max(1, Math.ceil(state.info.objects / per));
  var start = (state.page % pages) * per;
  for (var i = start; i < Math.min(state.info.objects, start + per); i++) {
    (function (id) {
      var node = thumb(id);
      node.appendChild(el('div', { text: id }));
      if (state.info.domain === 'text') {
        fetch('/object/' + id).then(function (r) { return r.text(); }).then(function (t) { node.appendChild(el('div', { class: 'preview', text: t.slice(0, 120) })); });
      }
      node.onclick = function () { runSearch({ id: id }); };
      box.appendChild(node);
    })(state.info.split + ':' + i);
  }
}

async function runSearch(query) {
  showError('');
  $('explain').hidden = true;
  $('status').textContent = 'searching…';
  try {
    var k = Number($('k').value) || 10;
    var weightsText = $('topics').value.trim();
    var res;
    if (query.file) {
      var qs = '?k=' + k + (weightsText ? '&topics=' + encodeURIComponent(weightsText) : '');
      res = await api('/search' + qs, { method: 'POST', headers: { 'content-type': query.file.type || 'application/octet-stream' }, body: query.file });
    } else {
      var body = Object.assign({ k: k }, query);
      if (weightsText) body.topicWeights = parseWeights(weightsText);
      res = await api('/search', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    }
    showResults(res);
  } catch (e) {
    $('status').textContent = '';
    showError(e.message);
  }
}

function showResults(res) {
  state.queryId = res.query.id;
  var qs = $('query-show');
  qs.innerHTML = '';
  qs.appendChild(el('div', { text: 'query ' + res.query.id }));
  if (state.info.domain === 'image') qs.appendChild(el('img', { src: '/object/' + encodeURIComponent(res.query.id), alt: 'query' }));
  $('status').textContent = res.hits.length + ' hits, ' + res.tookMs + ' ms (' + res.backend + ')';
  var box = $('results');
  box.innerHTML = '';
  res.hits.forEach(function (h) {
    var node = thumb(h.id, 'result');
    node.appendChild(el('div', { class: 'score', text: h.score.toFixed(3) }));
    node.appendChild(el('div', { text: h.id + ' · ' + h.className }));
    if (h.preview) node.appendChild(el('div', { class: 'preview', text: h.preview }));
    node.onclick = function () {
      Array.prototype.forEach.call(box.children, function (c) { c.classList.remove('selected'); });
      node.classList.add('selected');
      explain(h.id);
    };
    box.appendChild(node);
  });
}

async function explain(id) {
  showError('');
  try {
    state.explanation = await api('/explain?a=' + encodeURIComponent(state.queryId) + '&b=' + encodeURIComponent(id));
    state.topic = null;
    drawExplanation();
  } catch (e) {
    showError(e.message);
  }
}

/** Per-region contributions of one side, for the selected topic or summed over topics. */
function regionTotals(rows) {
  return rows.map(function (r) {
    return state.topic === null ? r.reduce(function (a, b) { return a + b; }, 0) : r[state.topic];
  });
}

function heatColor(v, max) {
  var a = max > 0 ? Math.min(1, Math.abs(v) / max) * 0.75 : 0;
  return v >= 0 ? 'rgba(216,85,58,' + a + ')' : 'rgba(58,110,216,' + a + ')';
}

function drawHeat(figure, id, rows, grid) {
  var size = 168;
  var canvas = el('canvas', { width: size, height: size, class: 'heatmap', 'data-id': id });
  figure.appendChild(canvas);
  var ctx = canvas.getContext('2d');
  var totals = regionTotals(rows);
  var max = Math.max.apply(null, totals.map(Math.abs));
  var img = new Image();
  img.onload = function () {
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(img, 0, 0, size, size);
    var cw = size / grid.cols, ch = size / grid.rows;
    totals.forEach(function (v, r) {
      ctx.fillStyle = heatColor(v, max);
      ctx.fillRect((r % grid.cols) * cw, Math.floor(r / grid.cols) * ch, cw, ch);
    });
  };
  img.src = '/object/' + encodeURIComponent(id);
}

function drawSegments(figure, rows, words) {
  var totals = regionTotals(rows);
  var max = Math.max.apply(null, totals.map(Math.abs));
  var box = el('div', { class: 'segments' });
  words.forEach(function (seg, r) {
    if (!seg.length) return;
    var span = el('span', { text: seg.join(' '), title: 'segment ' + r + ': ' + totals[r].toFixed(4) });
    span.style.background = heatColor(totals[r], max);
    box.appendChild(span);
    box.appendChild(document.createTextNode(' '));
  });
  figure.appendChild(box);
}

function drawExplanation() {
  var e = state.explanation;
  var box = $('explain');
  box.hidden = false;
  box.innerHTML = '';
  box.appendChild(el('h3', { text: 's(' + e.a + ', ' + e.b + ') = ' + e.score.toFixed(4) + (state.topic === null ? ' · all topics' : ' · topic ' + state.topic) }));
  var pair = el('div', { class: 'pair' });
  [['a', e.a], ['b', e.b]].forEach(function (side) {
    var fig = el('figure', {}, [el('figcaption', { text: side[1] })]);
    if (e.layout.kind === 'grid') drawHeat(fig, side[1], e.regions[side[0]], e.layout);
    else drawSegments(fig, e.regions[side[0]], e.layout[side[0]]);
    pair.appendChild(fig);
  });
  box.appendChild(pair);
  var bars = el('div', { class: 'bars' });
  var top = e.topics.slice().sort(function (x, y) { return Math.abs(y.contribution) - Math.abs(x.contribution); }).slice(0, 12);
  var max = Math.max.apply(null, top.map(function (t) { return Math.abs(t.contribution); }).concat([1e-9]));
  var all = el('div', { class: 'bar-row' + (state.topic === null ? ' active' : ''), text: 'all topics' });
  all.onclick = function () { state.topic = null; drawExplanation(); };
  bars.appendChild(all);
  top.forEach(function (t) {
    var w = Math.abs(t.contribution) / max * 160;
    var bar = el('div', { class: 'bar ' + (t.contribution >= 0 ? 'pos' : 'neg') });
    bar.style.left = (t.contribution >= 0 ? 160 : 160 - w) + 'px';
    bar.style.width = w + 'px';
    var row = el('div', { class: 'bar-row topic-bar' + (state.topic === t.topic ? ' active' : '') }, [
      el('span', { class: 'bar-label', text: 'topic ' + t.topic }),
      el('span', { class: 'bar-track' }, [bar]),
      el('span', { text: (t.contribution >= 0 ? '+' : '') + t.contribution.toFixed(4) }),
    ]);
    row.onclick = function () { state.topic = t.topic; drawExplanation(); };
    bars.appendChild(row);
  });
  box.appendChild(bars);
}

async function gallery() {
  var g = await api('/topics');
  var box = $('gallery');
  var maxUsage = Math.max.apply(null, g.items.map(function (t) { return t.usage || 0; }).concat([1e-9]));
  g.items.forEach(function (t) {
    var card = el('div', { class: 'topic-card' }, [el('div', { text: 'topic ' + t.topic + (t.usage === null ? '' : ' · usage ' + (100 * t.usage).toFixed(1) + '%') })]);
    var usage = el('div', { class: 'usage' });
    usage.style.width = ((t.usage || 0) / maxUsage * 100) + '%';
    card.appendChild(usage);
    if (g.renders) card.appendChild(el('img', { class: 'render', src: '/topics/' + t.topic + '/render.png', alt: 'render of topic ' + t.topic }));
    if (t.words) card.appendChild(el('div', { text: t.words.join(', ') }));
    var top = el('div', { class: 'top' });
    t.top.forEach(function (id) {
      if (g.domain === 'image') top.appendChild(el('img', { src: '/object/' + id, title: id }));
      else top.appendChild(el('div', { text: id }));
    });
    card.appendChild(top);
    box.appendChild(card);
  });
}

async function main() {
  state.info = await api('/healthz');
  document.body.classList.add(state.info.domain === 'image' ? 'images' : 'texts');
  if (state.info.domain === 'text') document.body.classList.add('text-mode');
  $('info').textContent = state.info.dataset + ' · ' + state.info.objects + ' ' + state.info.split + ' objects · ' + state.info.topics + ' topics · ' + state.info.backend;
  $('k').max = state.info.maxK;
  if (location.pathname === '/gallery') {
    $('gallery-view').hidden = false;
    return gallery();
  }
  $('search-view').hidden = false;
  browse();
  $('shuffle').onclick = function () { state.page++; browse(); };
  $('upload').onchange = function (ev) { var f = ev.target.files[0]; if (f) runSearch({ file: f }); };
  $('text-search').onclick = function () { runSearch({ text: $('text').value }); };
}

main().catch(function (e) { showError(e.message); });
`;
