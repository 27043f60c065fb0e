// Opens the viewer page in Debian's chromium while a game streams, and checks what a person would see.
import { existsSync, mkdirSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASS, Board, Rng, type StoneColor } from '../engine/index.js';
import { WatchHub, startWatchServer, type WatchServer, type MoveCandidate } from '../src/watch/index.js';

const CHROMIUM = '/usr/bin/chromium';
const OUTPUT = 'test-output';

/** Streams a random but legal game with a made-up search view, one move every `paceMs`. */
async function streamGame(hub: WatchHub, moves: number, paceMs: number, size = 9, id = 'browser-game', end = true): Promise<string> {
  const game = hub.startGame({
    id,
    black: { name: 'tengen', network: 'net-0042' },
    white: { name: 'tengen', network: 'net-0041' },
    size,
    komi: 7,
    rules: 'chinese',
    source: 'selfplay',
  });
  const board = new Board(size);
  const rng = new Rng(7);
  let blackWin = 0.5;
  for (let k = 0; k < moves; k++) {
    const color = board.toPlay as StoneColor;
    const move = board.randomMove(rng, color);
    const candidates: MoveCandidate[] = [];
    for (let i = 0; i < board.emptyPoints && candidates.length < 6; i++) {
      const p = board.emptyPointAt(i);
      if (p !== move && board.isLegal(p, color)) {
        candidates.push({ move: p, visits: 200 >> candidates.length, prior: 0.1, winrate: 0.5 - candidates.length * 0.03 });
      }
    }
    if (move !== PASS) candidates.unshift({ move, visits: 400, prior: 0.3, winrate: 0.55 });
    blackWin = Math.min(0.95, Math.max(0.05, blackWin + (rng.next() - 0.45) * 0.08));
    const mover = color === 1 ? blackWin : 1 - blackWin;
    board.play(move, color);
    game.move({ color, move, analysis: { winrate: mover, visits: 800, scoreLead: 1.5, candidates, pv: candidates.slice(0, 4).map((c) => c.move) } });
    await new Promise((r) => setTimeout(r, paceMs));
  }
  if (end) game.end('B+4.5');
  return game.id;
}

describe.skipIf(!existsSync(CHROMIUM))('watch viewer in chromium', () => {
  let server: WatchServer;
  let hub: WatchHub;
  // playwright-core is imported lazily so the file loads (and skips) where it is not needed.
  let browser: import('playwright-core').Browser;

  beforeAll(async () => {
    mkdirSync(OUTPUT, { recursive: true });
    hub = new WatchHub();
    server = await startWatchServer({ port: 0 }, hub);
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('shows stones as the game streams, the candidates and graph, then the result', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
    const pageErrors: string[] = [];
    page.on('pageerror', (err) => pageErrors.push(err.message));
    await page.goto(server.url);
    await page.waitForSelector('#status.open');
    const streaming = streamGame(hub, 40, 40);
    await page.waitForFunction(() => document.querySelectorAll('#board circle.stone').length >= 3, null, { timeout: 15_000 });
    await streaming;
    await page.waitForFunction(() => !document.querySelector('#result')!.hasAttribute('hidden'), null, { timeout: 15_000 });
    expect(await page.textContent('#result')).toContain('B+4.5');
    // The board shows the final position: 40 moves played, some stones on it, the last move marked.
    expect(await page.getAttribute('#board svg', 'data-moves')).toBe('40');
    const stones = await page.locator('#board circle.stone').count();
    const expected = hub.game('browser-game')!.snapshot().stones.join('').replace(/\./g, '').length;
    expect(stones).toBe(expected);
    expect(await page.locator('#board circle.last-move').count()).toBe(1);
    expect(await page.locator('#moves li').count()).toBe(40);
    expect(await page.locator('#graph polyline').count()).toBe(1);
    expect(await page.locator('#candidates tbody tr').count()).toBeGreaterThan(0);
    expect(await page.textContent('#black-name')).toContain('net-0042');
    expect(await page.locator('#game-list li').count()).toBe(1);
    // Stepping back shows an earlier position with its candidates drawn on the board.
    await page.click('#prev');
    expect(await page.getAttribute('#board svg', 'data-moves')).toBe('39');
    expect(await page.locator('#board g.candidate').count()).toBeGreaterThan(0);
    await page.click('#live');
    await page.screenshot({ path: `${OUTPUT}/watch-viewer.png`, fullPage: true });
    expect(pageErrors).toEqual([]);
    await page.close();
  });

  it('follows a new game when the watched one is over, and fits a phone-sized screen', async () => {
    const page = await browser.newPage({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2 });
    await page.goto(server.url);
    await page.waitForFunction(() => document.querySelectorAll('#board circle.stone').length > 0, null, { timeout: 15_000 });
    // The finished 9x9 game is on show; a 19x19 game starts: the page switches to it.
    await streamGame(hub, 60, 5, 19, 'big-game', false);
    await page.waitForFunction(() => document.querySelector('#board svg')?.getAttribute('data-moves') === '60', null, { timeout: 15_000 });
    expect(await page.isHidden('#result')).toBe(true);
    expect(await page.locator('#game-select option').count()).toBe(2);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    const boardWidth = await page.evaluate(() => document.querySelector('#board svg')!.getBoundingClientRect().width);
    expect(boardWidth).toBeGreaterThan(300);
    expect(await page.isVisible('#game-select')).toBe(true);
    await page.screenshot({ path: `${OUTPUT}/watch-viewer-phone.png`, fullPage: true });
    await page.close();
  });

  const external = Object.values(networkInterfaces())
    .flat()
    .find((i) => i !== undefined && !i.internal && i.family === 'IPv4')?.address;

  it.skipIf(external === undefined)('carries the token from the page address to its websocket beyond loopback', async () => {
    const tokenHub = new WatchHub();
    const tokenServer = await startWatchServer({ port: 0, host: '0.0.0.0', token: 'open-sesame' }, tokenHub);
    try {
      tokenHub.startGame({ id: 'secret-game', black: 'b', white: 'w', size: 9, komi: 7 }).move({ color: 1, move: 40 });
      const page = await browser.newPage();
      // Without the token the page loads but its websocket is refused: no games, no stones.
      await page.goto(`http://${external}:${tokenServer.port}/`);
      await page.waitForSelector('#status.closed');
      expect(await page.textContent('#status')).toMatch(/token/);
      expect(await page.locator('#board circle.stone').count()).toBe(0);
      await page.goto(`http://${external}:${tokenServer.port}/?token=open-sesame`);
      await page.waitForSelector('#status.open');
      await page.waitForFunction(() => document.querySelectorAll('#board circle.stone').length === 1, null, { timeout: 15_000 });
      await page.close();
    } finally {
      await tokenServer.close();
    }
  });
});
