/**
 * Rule sets. The board needs only the move-legality rules (suicide, ko); scoring and komi belong to the game.
 * Named presets follow what GTP controllers send with `kata-set-rules` / `kgs-rules`.
 */
export type KoRule = 'simple' | 'positional' | 'situational';
export type ScoringRule = 'area' | 'territory';
/**
 * Points White receives per handicap stone under area scoring, on top of komi, because every handicap
 * stone is a point for Black on an area count: '0' (Tromp-Taylor, territory rules where stones do not
 * count), 'N' (Chinese, as GNU Go and KataGo count), 'N-1' (AGA, New Zealand).
 */
export type HandicapBonus = '0' | 'N' | 'N-1';

export interface BoardRules {
  /** Multi-stone (and single-stone) suicide allowed, as in Tromp-Taylor and New Zealand rules. */
  readonly suicide: boolean;
  /** Simple ko only, or positional / situational superko. */
  readonly ko: KoRule;
}

export interface GameRules extends BoardRules {
  readonly scoring: ScoringRule;
  readonly komi: number;
  readonly whiteHandicapBonus: HandicapBonus;
}

export const DEFAULT_RULES: BoardRules = { suicide: false, ko: 'simple' };

export const RULE_PRESETS: Readonly<Record<string, Omit<GameRules, 'komi'>>> = {
  chinese: { suicide: false, ko: 'simple', scoring: 'area', whiteHandicapBonus: 'N' },
  japanese: { suicide: false, ko: 'simple', scoring: 'territory', whiteHandicapBonus: '0' },
  korean: { suicide: false, ko: 'simple', scoring: 'territory', whiteHandicapBonus: '0' },
  'tromp-taylor': { suicide: true, ko: 'positional', scoring: 'area', whiteHandicapBonus: '0' },
  'new-zealand': { suicide: true, ko: 'situational', scoring: 'area', whiteHandicapBonus: 'N-1' },
  aga: { suicide: false, ko: 'situational', scoring: 'area', whiteHandicapBonus: 'N-1' },
};

export const DEFAULT_GAME_RULES: GameRules = { ...RULE_PRESETS.chinese!, komi: 7.5 };

/** White's compensation for `handicap` stones under these rules (0 under territory scoring). */
export function handicapCompensation(rules: Pick<GameRules, 'scoring' | 'whiteHandicapBonus'>, handicap: number): number {
  if (rules.scoring !== 'area' || handicap <= 0) return 0;
  if (rules.whiteHandicapBonus === 'N') return handicap;
  if (rules.whiteHandicapBonus === 'N-1') return Math.max(0, handicap - 1);
  return 0;
}

/** Looks up a preset by name (case and `_`/space insensitive); null when unknown. */
export function rulesPreset(name: string): Omit<GameRules, 'komi'> | null {
  const key = name.trim().toLowerCase().replace(/[_ ]/g, '-');
  const aliases: Record<string, string> = { tromptaylor: 'tromp-taylor', nz: 'new-zealand', cgos: 'tromp-taylor' };
  return RULE_PRESETS[aliases[key.replace(/-/g, '')] ?? key] ?? null;
}
