/**
 * Load test of the watch server: `npm run bench -- watch [--clients 200] [--slow 20] [--rate 150]
 * [--seconds 40] [--buffer BYTES]`.
 *
 * This process runs the hub and the server and publishes 19x19 games at a fixed pace (moves with a
 * full search view: 16 candidates and a 16-move PV). A child process opens the websocket clients on
 * 127.0.0.1; `--slow` of them pause their sockets and never read. Reported: the pace the games kept,
 * delivered move messages per second and their latency for the reading clients, slow clients dropped,
 * and the server's memory before, at peak and after.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import WebSocket from 'ws';
import { Board, PASS, Rng, type StoneColor } from '../engine/index.js';
import { WATCH_SERVER_DEFAULTS } from '../src/watch/config.js';
import { WatchHub, startWatchServer, type MoveCandidate, type ServerMessage } from '../src/watch/index.js';

const CHILD_FLAG = '--watch-bench-clients';
const MOVE_PREFIX = Buffer.from('{"type":"move"');
const HELLO_PREFIX = Buffer.from('{"type":"hello"');

interface Options {
  clients: number;
  slow: number;
  rate: number;
  seconds: number;
  buffer: number;
}

function parseOptions(args: string[]): Options {
  // 150 moves/s for 40 s sends each client ~8 MB: more than a paused socket's kernel buffers (~4-5 MB on
  // loopback) plus the server's bound, so the never-reading clients must be dropped.
  const o: Options = { clients: 200, slow: 20, rate: 150, seconds: 40, buffer: WATCH_SERVER_DEFAULTS.maxBufferedBytes };
  for (let i = 0; i < args.length; i += 2) {
    const key = args[i]!.replace(/^--/, '');
    const value = Number(args[i + 1]);
    if (!(key in o) || !Number.isFinite(value) || value < 0) {
      throw new RangeError(`bench watch: bad option ${args[i]} ${args[i + 1] ?? ''} (options: --clients --slow --rate --seconds --buffer)`);
    }
    o[key as keyof Options] = value;
  }
  if (o.slow > o.clients) throw new RangeError('bench watch: --slow cannot exceed --clients');
  if (o.clients > 2000 || o.seconds > 300 || o.rate > 5000) throw new RangeError('bench watch: keep it under 2000 clients, 300 s, 5000 moves/s');
  return o;
}

const now = () => performance.timeOrigin + performance.now();
/** A full collection before reading the heap, so 'before' and 'after' compare live data, not garbage. */
function gc(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}
const mib = (bytes: number) => (bytes / 1048576).toFixed(1);

// ------------------------------------------------------------------ client side (child process)

interface ClientReport {
  moves: number;
  closedEarly: boolean;
}

interface ChildResult {
  readers: ClientReport[];
  slowClosed: number;
  latencies: number[];
  firstMs: number;
  lastMs: number;
}

async function runClients(url: string, clients: number, slow: number): Promise<void> {
  const receipts: { key: string; at: number }[] = [];
  const readers: ClientReport[] = [];
  let slowClosed = 0;
  let firstMs = Infinity;
  let lastMs = 0;
  const sockets: WebSocket[] = [];
  await Promise.all(
    Array.from({ length: clients }, (_, i) => {
      const reading = i >= slow;
      const ws = new WebSocket(url, { perMessageDeflate: false });
      sockets.push(ws);
      const report: ClientReport = { moves: 0, closedEarly: false };
      if (reading) readers.push(report);
      // Only a sample of readers keep per-message receipts: the latency distribution without a huge table.
      const sampled = reading && i % 10 === 0;
      return new Promise<void>((resolve, reject) => {
        ws.once('open', () => {
          if (!reading) {
            ws.pause();
            resolve();
          }
        });
        ws.on('message', (data: Buffer) => {
          // The harness must not be the bottleneck: only sampled clients parse; the others recognise a
          // move frame by its first bytes (the server writes 'type' first).
          if (!sampled) {
            if (data.subarray(0, MOVE_PREFIX.length).equals(MOVE_PREFIX)) {
              report.moves++;
              lastMs = now();
            } else if (data.subarray(0, HELLO_PREFIX.length).equals(HELLO_PREFIX)) resolve();
            return;
          }
          const msg = JSON.parse(data.toString()) as ServerMessage;
          if (msg.type === 'hello') resolve();
          else if (msg.type === 'move') {
            const at = now();
            report.moves++;
            firstMs = Math.min(firstMs, at);
            lastMs = Math.max(lastMs, at);
            receipts.push({ key: `${msg.gameId}#${msg.move.n}`, at });
          }
        });
        ws.on('close', () => {
          if (reading) report.closedEarly = true;
          else slowClosed++;
        });
        ws.on('error', reject);
      });
    }),
  );
  process.send!({ type: 'ready' });
  process.on('message', (msg: { type: string; published?: Record<string, number> }) => {
    if (msg.type !== 'finish') return;
    const published = msg.published!;
    const latencies = receipts.flatMap((r) => (published[r.key] === undefined ? [] : [r.at - published[r.key]!]));
    const result: ChildResult = { readers, slowClosed, latencies, firstMs, lastMs };
    for (const ws of sockets) ws.terminate();
    process.send!({ type: 'result', result }, () => process.disconnect());
  });
}

// ------------------------------------------------------------------ server side (this process)

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

function memory() {
  const m = process.memoryUsage();
  return { rss: m.rss, heap: m.heapUsed };
}

function waitFor<T>(child: ChildProcess, type: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (msg: { type: string } & T) => {
      if (msg.type !== type) return;
      child.off('message', onMessage);
      child.off('exit', onExit);
      resolve(msg);
    };
    const onExit = (code: number | null) => reject(new Error(`bench watch: client process exited (${code}) before '${type}'`));
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

export async function run(args: string[]): Promise<void> {
  const o = parseOptions(args);
  const hub = new WatchHub();
  const server = await startWatchServer({ port: 0, host: '127.0.0.1', maxBufferedBytes: o.buffer }, hub);
  gc();
  const before = memory();

  const child = fork(fileURLToPath(import.meta.url), [CHILD_FLAG, server.viewerSocketUrl, String(o.clients), String(o.slow)], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  try {
    const connectStart = now();
    await waitFor(child, 'ready');
    const connectMs = now() - connectStart;
    const connected = memory();

    // Publish at a fixed pace: move k is due at start + k / rate; a late tick catches up without bursting.
    const published: Record<string, number> = {};
    const loopDelay = monitorEventLoopDelay({ resolution: 5 });
    loopDelay.enable();
    const total = Math.round(o.rate * o.seconds);
    const rng = new Rng(2024);
    let board = new Board(19);
    let game = hub.startGame({ black: 'bench-b', white: 'bench-w', size: 19, komi: 7.5, source: 'bench' });
    let games = 1;
    let peak = memory();
    const start = now();
    let maxLagMs = 0;
    let peakBuffered = 0;
    for (let k = 0; k < total; k++) {
      const due = start + (k * 1000) / o.rate;
      const wait = due - now();
      // Always yield: a publisher that never lets the event loop run would also stop the server sending.
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      else {
        maxLagMs = Math.max(maxLagMs, -wait);
        await new Promise((r) => setImmediate(r));
      }
      const color = board.toPlay as StoneColor;
      let move = board.randomMove(rng, color);
      if (board.moveNumber >= 500) move = PASS;
      const candidates: MoveCandidate[] = [];
      for (let i = 0; i < board.emptyPoints && candidates.length < 16; i += 7) {
        candidates.push({ move: board.emptyPointAt(i), visits: 1600 >> Math.min(10, candidates.length), prior: 0.05, winrate: 0.48 });
      }
      board.play(move, color);
      game.move({ color, move, analysis: { winrate: 0.5, visits: 1600, scoreLead: 0.5, candidates, pv: candidates.map((c) => c.move) } });
      published[`${game.id}#${board.moveNumber}`] = now();
      if (board.passes >= 2 || board.moveNumber >= 501) {
        game.end('Void');
        board = new Board(19);
        game = hub.startGame({ black: 'bench-b', white: 'bench-w', size: 19, komi: 7.5, source: 'bench' });
        games++;
      }
      if (k % 25 === 0) {
        const m = memory();
        peak = { rss: Math.max(peak.rss, m.rss), heap: Math.max(peak.heap, m.heap) };
        peakBuffered = Math.max(peakBuffered, server.stats().bufferedBytes);
      }
    }
    const streamSeconds = (now() - start) / 1000;
    game.end('Void');
    loopDelay.disable();
    // Let the readers drain what is in flight.
    await new Promise((r) => setTimeout(r, 500));
    const stats = server.stats();
    const afterStream = memory();
    child.send({ type: 'finish', published });
    const { result } = await waitFor<{ result: ChildResult }>(child, 'result');
    await new Promise((r) => setTimeout(r, 300));
    gc();
    const afterClients = memory();

    const readers = result.readers;
    const delivered = readers.reduce((s, r) => s + r.moves, 0);
    const complete = readers.filter((r) => r.moves === total).length;
    const latencies = result.latencies.sort((a, b) => a - b);
    const deliverySeconds = Math.max(1e-3, (result.lastMs - result.firstMs) / 1000);
    console.log(`watch load test: ${o.clients} clients on 127.0.0.1 (${o.slow} never read), 19x19 moves with 16 candidates + 16-move PV`);
    console.log(`  connect ${o.clients} clients     ${connectMs.toFixed(0)} ms`);
    console.log(`  published              ${total} moves in ${streamSeconds.toFixed(2)} s = ${(total / streamSeconds).toFixed(1)} moves/s (target ${o.rate}), ${games} games, at most ${maxLagMs.toFixed(0)} ms behind schedule`);
    console.log(`  publisher event loop   delay p50 ${(loopDelay.percentile(50) / 1e6).toFixed(1)} ms, p99 ${(loopDelay.percentile(99) / 1e6).toFixed(1)} ms, max ${(loopDelay.max / 1e6).toFixed(1)} ms`);
    console.log(`  reading clients        ${readers.length}: ${complete} got all ${total} moves, ${readers.filter((r) => r.closedEarly).length} disconnected`);
    console.log(`  delivered              ${delivered} move messages, ${(delivered / deliverySeconds).toFixed(0)} msg/s over ${deliverySeconds.toFixed(2)} s`);
    console.log(`  latency (publish->recv) p50 ${quantile(latencies, 0.5).toFixed(2)} ms, p95 ${quantile(latencies, 0.95).toFixed(2)} ms, p99 ${quantile(latencies, 0.99).toFixed(2)} ms, max ${(latencies.at(-1) ?? NaN).toFixed(2)} ms (${latencies.length} samples)`);
    console.log(`  slow clients dropped   ${stats.droppedSlowViewers} of ${o.slow} by the server (bound ${mib(o.buffer)} MiB unsent per viewer)`);
    console.log(`  frames queued          ${stats.framesSent}; server-side unsent bytes, all viewers: peak ${mib(peakBuffered)} MiB, at end ${mib(stats.bufferedBytes)} MiB`);
    console.log(`  server memory          before clients rss ${mib(before.rss)} MiB heap ${mib(before.heap)} MiB; connected rss ${mib(connected.rss)} heap ${mib(connected.heap)}; peak rss ${mib(peak.rss)} heap ${mib(peak.heap)}; after stream rss ${mib(afterStream.rss)} heap ${mib(afterStream.heap)}; after clients left + GC rss ${mib(afterClients.rss)} heap ${mib(afterClients.heap)} MiB`);
  } finally {
    child.kill();
    await server.close();
    await hub.close();
  }
}

if (process.argv[2] === CHILD_FLAG) {
  const [url, clients, slow] = process.argv.slice(3);
  runClients(url!, Number(clients), Number(slow)).catch((err: unknown) => {
    console.error('bench watch clients:', err);
    process.exit(1);
  });
}
