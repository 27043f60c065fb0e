/** The viewer's HTML shell; viewer-script.ts fills it in. Served as /index.html. */
export const VIEWER_HTML = String.raw`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>tengen · watch</title>
<link rel="stylesheet" href="/viewer.css">
<script src="/viewer.js" defer></script>
</head>
<body>
<header>
  <h1>tengen <span>watch</span></h1>
  <label class="follow"><input type="checkbox" id="follow" checked> follow new games</label>
  <span id="status" class="status connecting" role="status">connecting…</span>
</header>
<main>
  <nav id="games-panel" aria-label="Games">
    <h2>Games</h2>
    <select id="game-select" aria-label="Game"></select>
    <ul id="game-list"></ul>
    <p id="no-games" class="muted">No games yet. Games appear here as they start.</p>
  </nav>
  <section id="board-panel" aria-label="Board">
    <div id="players">
      <div class="player black"><span class="dot"></span><span id="black-name">Black</span><span class="caps" id="black-caps"></span></div>
      <div class="player white"><span class="dot"></span><span id="white-name">White</span><span class="caps" id="white-caps"></span></div>
    </div>
    <div id="result" class="result" hidden></div>
    <div id="board"></div>
    <div id="nav">
      <button id="first" title="First move" aria-label="First move">«</button>
      <button id="prev" title="Previous move (←)" aria-label="Previous move">◀</button>
      <span id="position">–</span>
      <button id="next" title="Next move (→)" aria-label="Next move">▶</button>
      <button id="live" title="Follow the game live" aria-label="Live">live</button>
    </div>
  </section>
  <section id="info-panel" aria-label="Analysis">
    <div id="game-meta" class="muted"></div>
    <h2>Win rate <span class="muted small">(Black)</span></h2>
    <div id="graph"></div>
    <h2>Search <span id="search-summary" class="muted small"></span></h2>
    <table id="candidates"><thead><tr><th>move</th><th>visits</th><th>win</th><th>prior</th></tr></thead><tbody></tbody></table>
    <p id="pv" class="muted small"></p>
    <h2>Moves</h2>
    <ol id="moves"></ol>
  </section>
</main>
</body>
</html>
`;
