/** The viewer's stylesheet, served as /viewer.css. Three columns on wide screens, one on phones. */
export const VIEWER_CSS = String.raw`
:root {
  --bg: #f4f1ea; --panel: #fffdf8; --ink: #222; --muted: #777; --line: #ddd6c8;
  --wood: #dcb35c; --grid: #4a3b1c; --accent: #2563eb; --good: #16a34a;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: var(--bg);
}
* { box-sizing: border-box; }
body { margin: 0; }
header { display: flex; align-items: center; gap: 1rem; padding: .5rem 1rem; background: #2b2b2b; color: #eee; flex-wrap: wrap; }
header h1 { font-size: 1.1rem; margin: 0; font-weight: 600; }
header h1 span { font-weight: 300; }
.follow { font-size: .85rem; margin-left: auto; }
.status { font-size: .8rem; padding: .15rem .5rem; border-radius: 1rem; background: #555; }
.status.open { background: var(--good); }
.status.closed { background: #b91c1c; }
main { display: grid; grid-template-columns: 15rem minmax(0, 1fr) 21rem; gap: 1rem; padding: 1rem; align-items: start; }
nav, section { background: var(--panel); border: 1px solid var(--line); border-radius: .5rem; padding: .75rem; min-width: 0; }
h2 { font-size: .9rem; margin: .75rem 0 .4rem; text-transform: uppercase; letter-spacing: .04em; color: #444; }
h2:first-child { margin-top: 0; }
.muted { color: var(--muted); }
.small { font-size: .8rem; text-transform: none; letter-spacing: 0; }
#game-select { display: none; width: 100%; font-size: 1rem; padding: .3rem; }
#game-list { list-style: none; margin: 0; padding: 0; max-height: 75vh; overflow-y: auto; }
#game-list li { padding: .4rem .5rem; border-radius: .3rem; cursor: pointer; font-size: .85rem; border-bottom: 1px solid var(--line); }
#game-list li:hover { background: #f0ece2; }
#game-list li.selected { background: #e0e7ff; }
#game-list .vs { display: block; font-weight: 600; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
#game-list .meta { color: var(--muted); font-size: .75rem; }
.badge { display: inline-block; font-size: .7rem; padding: 0 .35rem; border-radius: .6rem; background: var(--good); color: #fff; margin-right: .3rem; }
.badge.done { background: #888; }
#players { display: flex; justify-content: space-between; gap: .5rem; margin-bottom: .5rem; flex-wrap: wrap; }
.player { display: flex; align-items: center; gap: .4rem; font-weight: 600; min-width: 0; }
.player .dot { width: .9rem; height: .9rem; border-radius: 50%; border: 1px solid #000; flex: none; }
.player.black .dot { background: #111; }
.player.white .dot { background: #fff; }
.caps { font-weight: 400; color: var(--muted); font-size: .8rem; }
.result { font-size: 1.2rem; font-weight: 700; text-align: center; padding: .4rem; margin-bottom: .5rem; border-radius: .3rem; background: #fef3c7; border: 1px solid #f59e0b; }
#board { width: 100%; max-width: min(82vh, 100%); margin: 0 auto; aspect-ratio: 1 / 1; }
#board svg { width: 100%; height: 100%; display: block; }
#nav { display: flex; justify-content: center; align-items: center; gap: .4rem; margin-top: .5rem; }
#nav button { font-size: 1rem; padding: .25rem .6rem; border: 1px solid var(--line); background: #fff; border-radius: .3rem; cursor: pointer; }
#nav button.active { background: var(--accent); color: #fff; border-color: var(--accent); }
#position { min-width: 6rem; text-align: center; font-variant-numeric: tabular-nums; font-size: .9rem; }
#graph svg { width: 100%; height: 7rem; display: block; background: #fafafa; border: 1px solid var(--line); border-radius: .3rem; cursor: crosshair; }
#candidates { width: 100%; border-collapse: collapse; font-size: .85rem; font-variant-numeric: tabular-nums; }
#candidates th, #candidates td { text-align: right; padding: .15rem .3rem; border-bottom: 1px solid var(--line); }
#candidates th:first-child, #candidates td:first-child { text-align: left; }
#candidates tr.chosen td { font-weight: 700; }
#moves { list-style: none; margin: 0; padding: 0; display: grid; grid-template-columns: repeat(auto-fill, minmax(4.6rem, 1fr)); gap: 2px; max-height: 14rem; overflow-y: auto; font-size: .8rem; font-variant-numeric: tabular-nums; }
#moves li { padding: .1rem .3rem; cursor: pointer; border-radius: .2rem; white-space: nowrap; }
#moves li:hover { background: #f0ece2; }
#moves li.current { background: var(--accent); color: #fff; }
#moves .n { color: var(--muted); margin-right: .2rem; }
#moves li.current .n { color: #dbeafe; }
#pv { word-break: break-word; }
svg .coord { font-size: .32px; fill: #5a4820; text-anchor: middle; dominant-baseline: central; }
svg .cand-text { font-size: .27px; text-anchor: middle; dominant-baseline: central; fill: #000; font-weight: 600; pointer-events: none; }
@media (max-width: 1100px) {
  main { grid-template-columns: 13rem minmax(0, 1fr); }
  #info-panel { grid-column: 1 / -1; }
}
@media (max-width: 700px) {
  main { grid-template-columns: minmax(0, 1fr); padding: .5rem; gap: .5rem; }
  #game-list, #games-panel h2, #no-games { display: none; }
  #game-select { display: block; }
  #board { max-width: 100%; }
  .follow { margin-left: 0; }
}
`;
