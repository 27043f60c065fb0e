/**
 * The viewer's script, served as /viewer.js: plain browser JavaScript, no framework, no build step.
 * It speaks protocol version 1 (../PROTOCOL.md). Kept free of backquotes and dollar-brace so it can
 * live in this template string; tests/watch-viewer.test.ts checks that it parses.
 */
export const VIEWER_JS = String.raw`
'use strict';
(function () {
  var PROTOCOL_VERSION = 1;
  var SVG_NS = 'http://www.w3.org/2000/svg';
  var COLUMNS = 'ABCDEFGHJKLMNOPQRSTUVWXYZ';

  var games = new Map();      // id -> summary
  var current = null;         // { summary, setup, moves, id }
  var currentId = null;
  var viewIndex = null;       // moves shown; null follows the live end
  var socket = null;
  var retryMs = 500;
  var opened = false;         // ever connected: a refusal before that is likely a missing token

  function $(id) { return document.getElementById(id); }
  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    if (attrs) for (var k in attrs) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function svg(tag, attrs, text) {
    var e = document.createElementNS(SVG_NS, tag);
    if (attrs) for (var k in attrs) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function pct(x) { return (x * 100).toFixed(1) + '%'; }
  function compact(n) {
    if (n >= 1e6) return (n / 1e6).toFixed(1) + 'M';
    if (n >= 1e4) return Math.round(n / 1e3) + 'k';
    if (n >= 1e3) return (n / 1e3).toFixed(1) + 'k';
    return String(Math.round(n));
  }
  function playerLabel(p) { return p.network ? p.name + ' (' + p.network + ')' : p.name; }

  // ---------------------------------------------------------------- coordinates and positions

  function parseVertex(v, size) {
    if (!v || v.toLowerCase() === 'pass') return null;
    var col = COLUMNS.indexOf(v.charAt(0).toUpperCase());
    var row = size - parseInt(v.slice(1), 10);
    if (col < 0 || col >= size || !(row >= 0 && row < size)) return null;
    return { row: row, col: col };
  }

  /** Stones after the first n moves: replays setup, stones and the captures each move reports. */
  function positionAfter(game, n) {
    var size = game.summary.size;
    var stones = new Array(size * size).fill('.');
    function put(v, c) { var p = parseVertex(v, size); if (p) stones[p.row * size + p.col] = c; }
    game.setup.black.forEach(function (v) { put(v, 'X'); });
    game.setup.white.forEach(function (v) { put(v, 'O'); });
    for (var i = 0; i < n && i < game.moves.length; i++) {
      var m = game.moves[i];
      put(m.move, m.color === 'B' ? 'X' : 'O');
      m.captured.forEach(function (v) { put(v, '.'); });
    }
    return stones;
  }

  function capturesAfter(game, n) {
    var caps = { B: 0, W: 0 };
    for (var i = 0; i < n && i < game.moves.length; i++) caps[game.moves[i].color] += game.moves[i].captured.length;
    return caps;
  }

  function shownCount() {
    if (!current) return 0;
    return viewIndex === null ? current.moves.length : Math.min(viewIndex, current.moves.length);
  }

  // ---------------------------------------------------------------- board

  function starPoints(size) {
    if (size < 7) return [];
    var e = size >= 13 ? 3 : 2;
    var pts = [e, size - 1 - e];
    if (size % 2 === 1 && size >= 9) pts.push((size - 1) / 2);
    var out = [];
    pts.forEach(function (r) { pts.forEach(function (c) { out.push([r, c]); }); });
    if (size < 13 && out.length > 5) out = out.filter(function (p) { return p[0] === p[1] || p[0] + p[1] === size - 1; });
    return out;
  }

  function renderBoard() {
    var host = $('board');
    host.textContent = '';
    if (!current) return;
    var size = current.summary.size;
    var n = shownCount();
    var stones = positionAfter(current, n);
    var root = svg('svg', { viewBox: '-1.1 -1.1 ' + (size + 1.2) + ' ' + (size + 1.2), role: 'img',
      'aria-label': 'Board after move ' + n, 'data-moves': String(n) });
    root.appendChild(svg('rect', { x: -1.1, y: -1.1, width: size + 1.2, height: size + 1.2, fill: '#dcb35c' }));
    var grid = svg('g', { stroke: '#4a3b1c', 'stroke-width': 0.035 });
    for (var i = 0; i < size; i++) {
      grid.appendChild(svg('line', { x1: 0, y1: i, x2: size - 1, y2: i }));
      grid.appendChild(svg('line', { x1: i, y1: 0, x2: i, y2: size - 1 }));
    }
    root.appendChild(grid);
    starPoints(size).forEach(function (p) {
      root.appendChild(svg('circle', { cx: p[1], cy: p[0], r: 0.09, fill: '#4a3b1c' }));
    });
    for (var c = 0; c < size; c++) {
      root.appendChild(svg('text', { x: c, y: -0.7, class: 'coord' }, COLUMNS.charAt(c)));
      root.appendChild(svg('text', { x: c, y: size - 0.3, class: 'coord' }, COLUMNS.charAt(c)));
    }
    for (var r = 0; r < size; r++) {
      root.appendChild(svg('text', { x: -0.7, y: r, class: 'coord' }, String(size - r)));
      root.appendChild(svg('text', { x: size - 0.3, y: r, class: 'coord' }, String(size - r)));
    }
    // Candidates the search weighed for the move that led here, on the points still empty.
    var last = n > 0 ? current.moves[n - 1] : null;
    if (last && last.analysis && last.analysis.candidates.length > 0) {
      var cands = last.analysis.candidates;
      var maxVisits = cands[0].visits || 1;
      cands.slice(0, 10).forEach(function (cand, rank) {
        var p = parseVertex(cand.move, size);
        if (!p || stones[p.row * size + p.col] !== '.') return;
        var share = cand.visits / maxVisits;
        var fill = rank === 0 ? '#60a5fa' : share > 0.5 ? '#86efac' : share > 0.15 ? '#fde68a' : '#fca5a5';
        var g = svg('g', { class: 'candidate', 'data-vertex': cand.move });
        g.appendChild(svg('circle', { cx: p.col, cy: p.row, r: 0.44, fill: fill, 'fill-opacity': 0.85, stroke: '#333', 'stroke-width': 0.02 }));
        g.appendChild(svg('text', { x: p.col, y: p.row - 0.12, class: 'cand-text' }, pct(cand.winrate).replace('.0%', '%')));
        g.appendChild(svg('text', { x: p.col, y: p.row + 0.17, class: 'cand-text' }, compact(cand.visits)));
        root.appendChild(g);
      });
    }
    var stoneLayer = svg('g', {});
    for (var q = 0; q < stones.length; q++) {
      if (stones[q] === '.') continue;
      var black = stones[q] === 'X';
      stoneLayer.appendChild(svg('circle', {
        cx: q % size, cy: Math.floor(q / size), r: 0.47,
        class: 'stone ' + (black ? 'black' : 'white'),
        fill: black ? '#111' : '#f8f8f8', stroke: '#000', 'stroke-width': 0.03,
      }));
    }
    root.appendChild(stoneLayer);
    if (last) {
      var lp = parseVertex(last.move, size);
      if (lp) {
        root.appendChild(svg('circle', { cx: lp.col, cy: lp.row, r: 0.2, fill: 'none', class: 'last-move',
          stroke: last.color === 'B' ? '#fff' : '#000', 'stroke-width': 0.07 }));
      }
    }
    host.appendChild(root);
  }

  // ---------------------------------------------------------------- side panels

  function blackWinrate(m) {
    if (!m.analysis) return null;
    return m.color === 'B' ? m.analysis.winrate : 1 - m.analysis.winrate;
  }

  function renderGraph() {
    var host = $('graph');
    host.textContent = '';
    if (!current) return;
    var moves = current.moves;
    var width = Math.max(moves.length, 10);
    var root = svg('svg', { viewBox: '0 0 ' + width + ' 100', preserveAspectRatio: 'none', 'aria-label': 'Win rate graph' });
    root.appendChild(svg('line', { x1: 0, y1: 50, x2: width, y2: 50, stroke: '#bbb', 'stroke-width': 0.6, 'vector-effect': 'non-scaling-stroke', 'stroke-dasharray': '4 3' }));
    var points = [];
    moves.forEach(function (m, i) {
      var w = blackWinrate(m);
      if (w !== null) points.push((i + 1) + ',' + (100 - w * 100).toFixed(2));
    });
    if (points.length > 0) {
      root.appendChild(svg('polygon', { points: points[0].split(',')[0] + ',100 ' + points.join(' ') + ' ' + points[points.length - 1].split(',')[0] + ',100', fill: '#111', 'fill-opacity': 0.12 }));
      root.appendChild(svg('polyline', { points: points.join(' '), fill: 'none', stroke: '#111', 'stroke-width': 1.5, 'vector-effect': 'non-scaling-stroke' }));
    }
    var n = shownCount();
    root.appendChild(svg('line', { x1: n, y1: 0, x2: n, y2: 100, stroke: '#2563eb', 'stroke-width': 1.5, 'vector-effect': 'non-scaling-stroke' }));
    root.addEventListener('click', function (ev) {
      var box = root.getBoundingClientRect();
      var k = Math.round(((ev.clientX - box.left) / box.width) * width);
      showMove(Math.max(0, Math.min(moves.length, k)));
    });
    host.appendChild(root);
  }

  function renderSearch() {
    var body = $('candidates').tBodies[0];
    body.textContent = '';
    var n = shownCount();
    var m = current && n > 0 ? current.moves[n - 1] : null;
    $('pv').textContent = '';
    if (!m || !m.analysis) {
      $('search-summary').textContent = m ? '(no analysis for this move)' : '';
      return;
    }
    var a = m.analysis;
    $('search-summary').textContent = 'move ' + m.n + ' · ' + compact(a.visits) + ' visits · ' + m.color + ' ' + pct(a.winrate) +
      (a.scoreLead !== undefined ? ' · lead ' + a.scoreLead.toFixed(1) : '');
    a.candidates.slice(0, 10).forEach(function (c) {
      var tr = el('tr', c.move === m.move ? { class: 'chosen' } : {});
      tr.appendChild(el('td', null, c.move));
      tr.appendChild(el('td', null, compact(c.visits)));
      tr.appendChild(el('td', null, pct(c.winrate)));
      tr.appendChild(el('td', null, pct(c.prior)));
      body.appendChild(tr);
    });
    if (a.pv.length > 0) $('pv').textContent = 'PV: ' + a.pv.join(' ');
  }

  function renderMoves() {
    var list = $('moves');
    var n = shownCount();
    // Append new entries only: long games stay cheap to update.
    while (list.children.length > (current ? current.moves.length : 0)) list.removeChild(list.lastChild);
    if (!current) return;
    for (var i = list.children.length; i < current.moves.length; i++) {
      var m = current.moves[i];
      var li = el('li', { 'data-n': String(m.n) });
      li.appendChild(el('span', { class: 'n' }, String(m.n)));
      li.appendChild(document.createTextNode((m.color === 'B' ? '●' : '○') + ' ' + m.move));
      li.addEventListener('click', (function (k) { return function () { showMove(k); }; })(m.n));
      list.appendChild(li);
    }
    var prev = list.querySelector('li.current');
    if (prev) prev.classList.remove('current');
    if (n > 0) {
      var cur = list.children[n - 1];
      cur.classList.add('current');
      if (viewIndex === null) list.scrollTop = list.scrollHeight;
    }
  }

  function renderHeader() {
    var s = current ? current.summary : null;
    $('black-name').textContent = s ? playerLabel(s.black) : 'Black';
    $('white-name').textContent = s ? playerLabel(s.white) : 'White';
    var n = shownCount();
    var caps = current ? capturesAfter(current, n) : { B: 0, W: 0 };
    $('black-caps').textContent = s ? caps.B + ' captured' : '';
    $('white-caps').textContent = s ? caps.W + ' captured' : '';
    var result = $('result');
    if (s && s.result) {
      result.hidden = false;
      result.textContent = 'Result: ' + s.result.text;
    } else {
      result.hidden = true;
      result.textContent = '';
    }
    $('game-meta').textContent = s
      ? s.size + '×' + s.size + ' · komi ' + s.komi + ' · ' + s.rules + (s.handicap ? ' · handicap ' + s.handicap : '') + (s.source ? ' · ' + s.source : '')
      : 'Pick a game.';
    $('position').textContent = current ? 'move ' + n + ' / ' + current.moves.length : '–';
    $('live').classList.toggle('active', viewIndex === null);
  }

  function render() {
    renderHeader();
    renderBoard();
    renderGraph();
    renderSearch();
    renderMoves();
  }

  function showMove(k) {
    if (!current) return;
    viewIndex = k >= current.moves.length ? null : Math.max(0, k);
    render();
  }

  // ---------------------------------------------------------------- game list

  function describe(s) {
    return playerLabel(s.black) + ' – ' + playerLabel(s.white);
  }

  function renderGameList() {
    var list = $('game-list');
    var select = $('game-select');
    list.textContent = '';
    select.textContent = '';
    var all = Array.from(games.values()).sort(function (a, b) {
      if (a.status !== b.status) return a.status === 'live' ? -1 : 1;
      return a.startedAt < b.startedAt ? 1 : -1;
    });
    $('no-games').hidden = all.length > 0;
    all.forEach(function (s) {
      var li = el('li', { 'data-id': s.id });
      if (s.id === currentId) li.className = 'selected';
      li.appendChild(el('span', { class: 'vs' }, describe(s)));
      var meta = el('span', { class: 'meta' });
      meta.appendChild(el('span', { class: s.status === 'live' ? 'badge' : 'badge done' }, s.status === 'live' ? 'live' : s.result ? s.result.text : 'over'));
      meta.appendChild(document.createTextNode(s.size + '×' + s.size + ' · ' + s.moveCount + ' moves' + (s.source ? ' · ' + s.source : '')));
      li.appendChild(meta);
      li.addEventListener('click', function () { selectGame(s.id); });
      list.appendChild(li);
      var opt = el('option', { value: s.id }, (s.status === 'live' ? '● ' : '') + describe(s) + (s.result ? ' (' + s.result.text + ')' : ''));
      if (s.id === currentId) opt.selected = true;
      select.appendChild(opt);
    });
  }

  function selectGame(id) {
    if (id === currentId) return;
    send({ type: 'unsubscribe', gameId: currentId || '*' });
    currentId = id;
    current = null;
    viewIndex = null;
    $('moves').textContent = '';
    if (id) send({ type: 'subscribe', gameId: id });
    renderGameList();
    render();
  }

  function pickDefault() {
    if (currentId && games.has(currentId)) return;
    var live = Array.from(games.values()).filter(function (s) { return s.status === 'live'; });
    var pick = live.length > 0 ? live[live.length - 1] : Array.from(games.values())[0];
    currentId = null;
    if (pick) selectGame(pick.id);
  }

  // ---------------------------------------------------------------- protocol

  function send(msg) {
    if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(msg));
  }

  function setStatus(text, cls) {
    var s = $('status');
    s.textContent = text;
    s.className = 'status ' + cls;
  }

  function onMessage(msg) {
    switch (msg.type) {
      case 'hello':
        if (msg.version !== PROTOCOL_VERSION) setStatus('server speaks protocol v' + msg.version, 'closed');
        break;
      case 'games':
        games.clear();
        msg.games.forEach(function (s) { games.set(s.id, s); });
        if (currentId && games.has(currentId)) send({ type: 'subscribe', gameId: currentId });
        else pickDefault();
        renderGameList();
        break;
      case 'gameStarted':
        games.set(msg.game.id, msg.game);
        var watchingOver = current && current.summary.status === 'finished';
        if (!currentId || (watchingOver && $('follow').checked)) selectGame(msg.game.id);
        renderGameList();
        break;
      case 'snapshot':
        games.set(msg.game.id, summaryOf(msg.game));
        if (msg.game.id === currentId) {
          current = { id: msg.game.id, summary: summaryOf(msg.game), setup: msg.game.setup, moves: msg.game.moves.slice() };
          if (viewIndex !== null && viewIndex > current.moves.length) viewIndex = null;
          $('moves').textContent = '';
          render();
        }
        renderGameList();
        break;
      case 'move':
        var s = games.get(msg.gameId);
        if (s) s.moveCount = msg.move.n;
        if (current && msg.gameId === currentId && msg.move.n === current.moves.length + 1) {
          current.moves.push(msg.move);
          current.summary.moveCount = msg.move.n;
          render();
        }
        updateListCount(msg.gameId);
        break;
      case 'end':
        var g = games.get(msg.gameId);
        if (g) { g.status = 'finished'; g.result = msg.result; }
        if (current && msg.gameId === currentId) {
          current.summary.status = 'finished';
          current.summary.result = msg.result;
          render();
        }
        renderGameList();
        break;
      case 'gameRemoved':
        games.delete(msg.gameId);
        renderGameList();
        break;
      case 'error':
        console.warn('watch server:', msg.code, msg.message);
        break;
    }
  }

  function updateListCount(id) {
    var s = games.get(id);
    var li = $('game-list').querySelector('li[data-id="' + CSS.escape(id) + '"] .meta');
    if (!s || !li) return;
    li.lastChild.textContent = s.size + '×' + s.size + ' · ' + s.moveCount + ' moves' + (s.source ? ' · ' + s.source : '');
  }

  function summaryOf(g) {
    return { id: g.id, black: g.black, white: g.white, size: g.size, komi: g.komi, rules: g.rules, handicap: g.handicap,
      source: g.source, status: g.status, moveCount: g.moveCount, startedAt: g.startedAt, result: g.result };
  }

  function connect() {
    var params = new URLSearchParams(location.search);
    var q = 'subscribe=none';
    if (params.get('token')) q += '&token=' + encodeURIComponent(params.get('token'));
    if (params.get('game') && !currentId) currentId = params.get('game');
    socket = new WebSocket((location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/ws?' + q);
    socket.onopen = function () { opened = true; retryMs = 500; setStatus('live', 'open'); };
    socket.onmessage = function (ev) {
      var msg;
      try { msg = JSON.parse(ev.data); } catch (e) { return; }
      onMessage(msg);
    };
    socket.onclose = function () {
      var loopback = /^(localhost|127\.|\[::1\])/.test(location.hostname);
      setStatus(!opened && !params.get('token') && !loopback ? 'refused – add ?token=… to the address' : 'disconnected – retrying', 'closed');
      setTimeout(connect, retryMs);
      retryMs = Math.min(retryMs * 2, 10000);
    };
  }

  document.addEventListener('DOMContentLoaded', function () {
    $('first').addEventListener('click', function () { showMove(0); });
    $('prev').addEventListener('click', function () { showMove(shownCount() - 1); });
    $('next').addEventListener('click', function () { showMove(shownCount() + 1); });
    $('live').addEventListener('click', function () { viewIndex = null; render(); });
    $('game-select').addEventListener('change', function (ev) { selectGame(ev.target.value); });
    document.addEventListener('keydown', function (ev) {
      if (ev.target && ev.target.tagName === 'SELECT') return;
      if (ev.key === 'ArrowLeft') showMove(shownCount() - 1);
      else if (ev.key === 'ArrowRight') showMove(shownCount() + 1);
      else if (ev.key === 'End') { viewIndex = null; render(); }
      else if (ev.key === 'Home') showMove(0);
    });
    render();
    connect();
  });
})();
`;
