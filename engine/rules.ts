/**
 * Rule sets. The board needs only the move-legality rules (suicide, ko); scoring and komi belong to the game.
 * Named presets follow what GTP controllers send with `kata-set-rules` / `kgs-rules`.
 */
export type KoRule = 'simple' | 'positional' | 'situational';
export type ScoringRule = 'area' | 'territory';

export interface BoardRules {
  /** Multi-stone (and single-stone) suicide allowed, as in Tromp-Taylor and New Zealand rules. */
  readonly suicide: boolean;
  /** Simple ko only, or positional / situational superko. */
  readonly ko: KoRule;
}

export interface GameRules extends BoardRules {
  readonly scoring: ScoringRule;
  readonly komi: number;
}

export const DEFAULT_RULES: BoardRules = { suicide: false, ko: 'simple' };

export const RULE_PRESETS: Readonly<Record<string, Omit<GameRules, 'komi'>>> = {
  chinese: { suicide: false, ko: 'simple', scoring: 'area' },
  japanese: { suicide: false, ko: 'simple', scoring: 'territory' },
  korean: { suicide: false, ko: 'simple', scoring: 'territory' },
  'tromp-taylor': { suicide: true, ko: 'positional', scoring: 'area' },
  'new-zealand': { suicide: true, ko: 'situational', scoring: 'area' },
  aga: { suicide: false, ko: 'situational', scoring: 'area' },
};

export const DEFAULT_GAME_RULES: GameRules = { ...RULE_PRESETS.chinese!, komi: 7.5 };

/** Looks up a preset by name (case and `_`/space insensitive); null when unknown. */
export function rulesPreset(name: string): Omit<GameRules, 'komi'> | null {
  const key = name.trim().toLowerCase().replace(/[_ ]/g, '-');
  const aliases: Record<string, string> = { tromptaylor: 'tromp-taylor', nz: 'new-zealand', cgos: 'tromp-taylor' };
  return RULE_PRESETS[aliases[key.replace(/-/g, '')] ?? key] ?? null;
}
