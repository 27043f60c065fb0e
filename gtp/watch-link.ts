/**
 * `--watch`: mirrors the GTP game into the live viewer (src/watch). The viewer is a bystander: any
 * failure there is logged to stderr and never disturbs the GTP session.
 */
import { rulesPreset, type Game, type Move, type StoneColor } from '../engine/index.js';
import type { GameObserver } from './engine.js';
import type { Analysis } from './move-generator.js';

interface WatchHandle {
  move(input: { color: StoneColor; move: Move; analysis?: { winrate: number; visits: number; scoreLead?: number; pv?: readonly Move[] } }): void;
  undo(): void;
  end(result: string): void;
  readonly isOver: boolean;
}

interface WatchSinkLike {
  readonly url: string;
  startGame(info: {
    black: string;
    white: string;
    size: number;
    komi: number;
    rules?: string;
    handicap?: number;
    setup?: { black?: readonly Move[]; white?: readonly Move[] };
    source?: string;
  }): WatchHandle;
  close(): Promise<void>;
}

export class WatchLink implements GameObserver {
  private handle: WatchHandle | null = null;

  constructor(
    private readonly sink: WatchSinkLike,
    private readonly log: (message: string) => void,
  ) {}

  moved(game: Game, color: StoneColor, move: Move, analysis?: Analysis): void {
    this.guard(() => {
      if (this.handle === null || this.handle.isOver) {
        this.startFrom(game, game.moves.length - 1);
      }
      const a = analysis && { winrate: analysis.winrate, visits: analysis.visits, scoreLead: analysis.scoreLead, pv: analysis.candidates[0]?.pv };
      this.handle!.move({ color, move, analysis: a });
    });
  }

  undone(): void {
    this.guard(() => this.handle?.undo());
  }

  reset(): void {
    this.guard(() => {
      if (this.handle !== null && !this.handle.isOver) this.handle.end('Void');
      this.handle = null;
    });
  }

  ended(result: string): void {
    this.guard(() => {
      if (this.handle !== null && !this.handle.isOver) this.handle.end(result);
    });
  }

  async close(): Promise<void> {
    this.reset();
    await this.sink.close();
  }

  /** Starts the watched game with the setup and the first `moveCount` moves already played. */
  private startFrom(game: Game, moveCount: number): void {
    const rules = Object.entries({ chinese: 0, japanese: 0, 'tromp-taylor': 0, 'new-zealand': 0, aga: 0 }).find(([name]) => {
      const preset = rulesPreset(name)!;
      return preset.ko === game.rules.ko && preset.suicide === game.rules.suicide && preset.scoring === game.rules.scoring;
    })?.[0];
    this.handle = this.sink.startGame({
      black: 'black',
      white: 'white',
      size: game.size,
      komi: game.rules.komi,
      rules,
      handicap: game.handicap,
      setup: { black: game.setupBlack, white: game.setupWhite },
      source: 'gtp',
    });
    for (const record of game.moves.slice(0, moveCount)) this.handle.move({ color: record.color, move: record.move });
  }

  private guard(action: () => void): void {
    try {
      action();
    } catch (e) {
      this.log(`watch: ${(e as Error).message}`);
      this.handle = null;
    }
  }
}

/** Opens the viewer target (a port or a `tengen watch` URL) through src/watch. */
export async function connectWatch(target: string, log: (message: string) => void): Promise<WatchLink> {
  const { openWatch } = await import('../src/watch/command.js');
  const sink = await openWatch(target, { log });
  return new WatchLink(sink, log);
}
