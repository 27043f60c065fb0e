/**
 * Training-data shards: compact binary files of (state, π, z) records.
 *
 * File layout (little endian):
 *   header, 32 bytes
 *     0  magic 'TGSH'
 *     4  u16 format version (SHARD_VERSION)
 *     6  u8  board size
 *     7  u8  feature set (0 zero, 1 lee) the records were written for
 *     8  u8  history length H (positions stored per record, newest first)
 *     9  u8  flags (bit 0: body is raw-deflated; bit 1: records carry a value target q, version 2)
 *    10  u16 games the records come from (a shard holds whole games)
 *    12  u32 record count
 *    16  u32 record size in bytes (uncompressed)
 *    20  u32 stored body length in bytes
 *    24  u32 reserved (0)
 *    28  u32 CRC-32 of bytes 0..27 followed by the stored body
 *   body: `count` records of `recordSize` bytes, deflated
 *
 * Record layout:
 *   H × ceil(area/4) bytes   stones of the position now and before each of the H-1 previous moves, 2 bits a
 *                            point (0 empty, 1 black, 2 white), point p in byte p>>2 at bits 2*(p&3); positions
 *                            before the start of the game are empty, which is what the feature planes use too
 *   u8  side to move (1 black, 2 white)
 *   i8  z: the game's outcome for the side to move (+1 win, -1 loss, 0 draw / unknown)
 *   (area+1) × u16  π as visit counts (pass last); scaled down to fit 16 bits when a search had more visits
 *   i8  q (version 2 with flag bit 1 only): a value target for the side to move besides z, q·127 rounded —
 *       the self-play search's root value, or a rollout estimate for recorded games (bootstrap
 *       --value-rollouts). Training can mix it with z (train.valueTargetWeight): z alone is one bit of
 *       noisy outcome per game, q says something about this position.
 *
 * Stones rather than feature planes are stored so the feature encoder stays in one place (src/nn) and a 9x9
 * record is 334 bytes before deflate (history planes deflate well: consecutive positions differ by a stone).
 * Files are written whole to a temp file, fsynced and renamed, so a reader sees a complete shard or none; a
 * shard whose checksum or structure is wrong is reported and skipped by loadShards.
 */
import { crc32, deflateRawSync, inflateRawSync } from 'node:zlib';
import { closeSync, openSync, readdirSync, readFileSync, readSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import type { StoneColor } from '../engine/color.js';
import { writeFileAtomic } from './atomic.js';

export const SHARD_MAGIC = 0x48534754; // 'TGSH' read as little-endian u32
/** The version written for shards without value targets (so they stay readable by older builds). */
export const SHARD_VERSION = 1;
/** The version written for shards with value targets; this build reads both. */
export const SHARD_VERSION_VALUE_TARGETS = 2;
export const SHARD_HEADER_BYTES = 32;
export const SHARD_EXTENSION = '.tgsh';
const FLAG_DEFLATED = 1;
const FLAG_VALUE_TARGETS = 2;

export type ShardFeatureSet = 'zero' | 'lee';
const FEATURE_SET_CODES: readonly ShardFeatureSet[] = ['zero', 'lee'];

export interface ShardHeader {
  version: number;
  boardSize: number;
  featureSet: ShardFeatureSet;
  historyLength: number;
  gameCount: number;
  recordCount: number;
  recordSize: number;
  /** Records carry a value target q (version 2). */
  valueTargets: boolean;
}

/** One training example in memory. */
export interface TrainingRecord {
  /** historyLength × area stones (0/1/2), newest position first. */
  history: Uint8Array;
  toPlay: StoneColor;
  /** area+1 visit counts (or any non-negative weights), pass last. */
  policy: ArrayLike<number>;
  /** Outcome for the side to move: 1, -1 or 0. */
  z: number;
  /** The value target q in [-1, 1] (= z when the shard has none), at 1/127 resolution. */
  q: number;
}

export class ShardError extends Error {
  constructor(readonly path: string, message: string) {
    super(`${path}: ${message}`);
    this.name = 'ShardError';
  }
}

export function packedPositionBytes(boardSize: number): number {
  return Math.ceil((boardSize * boardSize) / 4);
}

export function shardRecordSize(boardSize: number, historyLength: number, valueTargets = false): number {
  const area = boardSize * boardSize;
  return historyLength * packedPositionBytes(boardSize) + 2 + 2 * (area + 1) + (valueTargets ? 1 : 0);
}

/** Accumulates records for one shard; `encode()` gives the file bytes. */
export class ShardWriter {
  readonly area: number;
  readonly recordSize: number;
  private buffer: Uint8Array;
  private count = 0;
  private games = 0;

  constructor(
    readonly boardSize: number,
    readonly featureSet: ShardFeatureSet = 'zero',
    readonly historyLength = 8,
    /** Records carry a value target q (add()'s last argument); written as format version 2. */
    readonly valueTargets = false,
  ) {
    if (!Number.isInteger(boardSize) || boardSize < 2 || boardSize > 25) throw new RangeError(`shard: bad board size ${boardSize}`);
    if (!Number.isInteger(historyLength) || historyLength < 1 || historyLength > 64) {
      throw new RangeError(`shard: bad history length ${historyLength}`);
    }
    this.area = boardSize * boardSize;
    this.recordSize = shardRecordSize(boardSize, historyLength, valueTargets);
    this.buffer = new Uint8Array(this.recordSize * 64);
  }

  get recordCount(): number {
    return this.count;
  }

  get gameCount(): number {
    return this.games;
  }

  /** Marks the end of a game's records (the window of training data is measured in games). */
  endGame(): void {
    if (this.games >= 65535) throw new RangeError('shard: at most 65535 games per shard');
    this.games++;
  }

  /**
   * Adds a record. `history` gives the stones now and before previous moves, newest first; fewer than
   * historyLength entries (the start of a game) are padded with empty boards.
   */
  add(history: readonly ArrayLike<number>[], toPlay: StoneColor, policy: ArrayLike<number>, z: number, q?: number): void {
    const { area, recordSize } = this;
    if (toPlay !== 1 && toPlay !== 2) throw new RangeError(`shard: side to move must be 1 or 2, got ${toPlay}`);
    if (z !== 1 && z !== -1 && z !== 0) throw new RangeError(`shard: z must be -1, 0 or 1, got ${z}`);
    if (this.valueTargets) {
      if (q === undefined || !(q >= -1 && q <= 1)) throw new RangeError(`shard: value target q must be a number in [-1, 1], got ${q}`);
    } else if (q !== undefined) {
      throw new RangeError('shard: this writer was created without value targets (new ShardWriter(size, set, history, true))');
    }
    if (policy.length !== area + 1) throw new RangeError(`shard: policy has ${policy.length} entries, expected ${area + 1}`);
    this.reserve(this.count + 1);
    const base = this.count * recordSize;
    const bytes = this.buffer;
    bytes.fill(0, base, base + recordSize);
    const posBytes = packedPositionBytes(this.boardSize);
    const steps = Math.min(history.length, this.historyLength);
    for (let t = 0; t < steps; t++) {
      const stones = history[t]!;
      if (stones.length !== area) throw new RangeError(`shard: history[${t}] has ${stones.length} points, expected ${area}`);
      const at = base + t * posBytes;
      for (let p = 0; p < area; p++) {
        const s = stones[p]!;
        if (s !== 0) {
          if (s !== 1 && s !== 2) throw new RangeError(`shard: bad stone value ${s}`);
          bytes[at + (p >> 2)]! |= s << (2 * (p & 3));
        }
      }
    }
    const tail = base + this.historyLength * posBytes;
    bytes[tail] = toPlay;
    bytes[tail + 1] = z & 0xff;
    let max = 0;
    for (let a = 0; a <= area; a++) {
      const w = policy[a]!;
      if (!(w >= 0) || !Number.isFinite(w)) throw new RangeError(`shard: policy[${a}] = ${w} is not a non-negative number`);
      if (w > max) max = w;
    }
    // Exact counts when they fit; otherwise keep the proportions at 16-bit resolution.
    const integral = max <= 65535 && Array.prototype.every.call(policy, (w: number) => Number.isInteger(w));
    const scale = integral ? 1 : max > 0 ? 65535 / max : 0;
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (let a = 0; a <= area; a++) view.setUint16(tail + 2 + 2 * a, Math.round(policy[a]! * scale), true);
    if (this.valueTargets) bytes[base + recordSize - 1] = Math.round(q! * 127) & 0xff;
    this.count++;
  }

  /** The whole shard file: header, deflated body, checksum. */
  encode(): Uint8Array {
    const raw = this.buffer.subarray(0, this.count * this.recordSize);
    const body = deflateRawSync(raw, { level: 6 });
    const out = new Uint8Array(SHARD_HEADER_BYTES + body.length);
    const view = new DataView(out.buffer);
    view.setUint32(0, SHARD_MAGIC, true);
    view.setUint16(4, this.valueTargets ? SHARD_VERSION_VALUE_TARGETS : SHARD_VERSION, true);
    view.setUint8(6, this.boardSize);
    view.setUint8(7, FEATURE_SET_CODES.indexOf(this.featureSet));
    view.setUint8(8, this.historyLength);
    view.setUint8(9, FLAG_DEFLATED | (this.valueTargets ? FLAG_VALUE_TARGETS : 0));
    view.setUint16(10, this.games, true);
    view.setUint32(12, this.count, true);
    view.setUint32(16, this.recordSize, true);
    view.setUint32(20, body.length, true);
    out.set(body, SHARD_HEADER_BYTES);
    view.setUint32(28, shardChecksum(out), true);
    return out;
  }

  /** Writes the shard atomically (temp file, fsync, rename). */
  writeTo(path: string): void {
    writeFileAtomic(path, this.encode());
  }

  private reserve(records: number): void {
    const need = records * this.recordSize;
    if (need <= this.buffer.length) return;
    const grown = new Uint8Array(Math.max(need, this.buffer.length * 2));
    grown.set(this.buffer);
    this.buffer = grown;
  }
}

function shardChecksum(file: Uint8Array): number {
  const head = crc32(file.subarray(0, 28));
  return crc32(file.subarray(SHARD_HEADER_BYTES), head) >>> 0;
}

/** A decoded shard: its header and the uncompressed records, read through the accessors below. */
export interface ShardData {
  path: string;
  header: ShardHeader;
  records: Uint8Array;
}

/** Parses and validates a shard file's bytes; throws ShardError on any inconsistency. */
export function decodeShard(path: string, file: Uint8Array): ShardData {
  if (file.length < SHARD_HEADER_BYTES) throw new ShardError(path, `truncated: ${file.length} bytes is shorter than the header`);
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  if (view.getUint32(0, true) !== SHARD_MAGIC) throw new ShardError(path, 'not a tengen shard (bad magic)');
  const version = view.getUint16(4, true);
  if (version !== SHARD_VERSION && version !== SHARD_VERSION_VALUE_TARGETS) {
    throw new ShardError(path, `unsupported shard format version ${version} (this build reads ${SHARD_VERSION} and ${SHARD_VERSION_VALUE_TARGETS})`);
  }
  const boardSize = view.getUint8(6);
  const featureSet = FEATURE_SET_CODES[view.getUint8(7)];
  const historyLength = view.getUint8(8);
  const flags = view.getUint8(9);
  const gameCount = view.getUint16(10, true);
  const recordCount = view.getUint32(12, true);
  const recordSize = view.getUint32(16, true);
  const bodyLength = view.getUint32(20, true);
  if (SHARD_HEADER_BYTES + bodyLength !== file.length) {
    throw new ShardError(path, `truncated or padded: header says ${bodyLength} body bytes, file has ${file.length - SHARD_HEADER_BYTES}`);
  }
  const stored = view.getUint32(28, true);
  const actual = shardChecksum(file);
  if (stored !== actual) throw new ShardError(path, `checksum mismatch (stored ${hex(stored)}, computed ${hex(actual)})`);
  if (featureSet === undefined) throw new ShardError(path, `unknown feature set code ${view.getUint8(7)}`);
  if (boardSize < 2 || boardSize > 25) throw new ShardError(path, `bad board size ${boardSize}`);
  const valueTargets = (flags & FLAG_VALUE_TARGETS) !== 0;
  if (valueTargets !== (version === SHARD_VERSION_VALUE_TARGETS)) throw new ShardError(path, `version ${version} with value-target flag ${valueTargets ? 'set' : 'clear'}`);
  if (recordSize !== shardRecordSize(boardSize, historyLength, valueTargets)) {
    throw new ShardError(path, `record size ${recordSize} does not match board ${boardSize} with history ${historyLength}`);
  }
  const body = file.subarray(SHARD_HEADER_BYTES);
  let records: Uint8Array;
  try {
    records = flags & FLAG_DEFLATED ? new Uint8Array(inflateRawSync(body)) : Uint8Array.from(body);
  } catch (e) {
    throw new ShardError(path, `body does not inflate: ${(e as Error).message}`);
  }
  if (records.length !== recordCount * recordSize) {
    throw new ShardError(path, `body holds ${records.length} bytes, expected ${recordCount} records of ${recordSize}`);
  }
  return { path, header: { version, boardSize, featureSet, historyLength, gameCount, recordCount, recordSize, valueTargets }, records };
}

export function readShard(path: string): ShardData {
  let file: Uint8Array;
  try {
    file = readFileSync(path);
  } catch (e) {
    throw new ShardError(path, `cannot read: ${(e as Error).message}`);
  }
  return decodeShard(path, file);
}

/** Reads only a shard's header (no checksum: for counting games and positions cheaply). Null if unreadable. */
export function readShardHeader(path: string): ShardHeader | null {
  try {
    const fd = openSync(path, 'r');
    const head = new Uint8Array(SHARD_HEADER_BYTES);
    const n = readSync(fd, head, 0, SHARD_HEADER_BYTES, 0);
    closeSync(fd);
    if (n < SHARD_HEADER_BYTES) return null;
    const view = new DataView(head.buffer);
    if (view.getUint32(0, true) !== SHARD_MAGIC) return null;
    const boardSize = view.getUint8(6);
    const historyLength = view.getUint8(8);
    return {
      version: view.getUint16(4, true),
      boardSize,
      featureSet: FEATURE_SET_CODES[view.getUint8(7)] ?? 'zero',
      historyLength,
      gameCount: view.getUint16(10, true),
      recordCount: view.getUint32(12, true),
      recordSize: view.getUint32(16, true),
      valueTargets: (view.getUint8(9) & FLAG_VALUE_TARGETS) !== 0,
    };
  } catch {
    return null;
  }
}

function hex(x: number): string {
  return `0x${x.toString(16).padStart(8, '0')}`;
}

/** Reads record i's stones history into `out` (historyLength × area, newest first). */
export function recordHistory(shard: ShardData, i: number, out: Uint8Array): void {
  const { boardSize, historyLength, recordSize } = shard.header;
  const area = boardSize * boardSize;
  const posBytes = packedPositionBytes(boardSize);
  const base = i * recordSize;
  const bytes = shard.records;
  for (let t = 0; t < historyLength; t++) {
    const at = base + t * posBytes;
    const o = t * area;
    for (let p = 0; p < area; p++) out[o + p] = (bytes[at + (p >> 2)]! >> (2 * (p & 3))) & 3;
  }
}

export function recordToPlay(shard: ShardData, i: number): StoneColor {
  const { boardSize, historyLength, recordSize } = shard.header;
  return shard.records[i * recordSize + historyLength * packedPositionBytes(boardSize)]! as StoneColor;
}

export function recordOutcome(shard: ShardData, i: number): number {
  const { boardSize, historyLength, recordSize } = shard.header;
  const b = shard.records[i * recordSize + historyLength * packedPositionBytes(boardSize) + 1]!;
  return b > 127 ? b - 256 : b;
}

/** Record i's value target q in [-1, 1]; the outcome z when the shard has no value targets. */
export function recordValueTarget(shard: ShardData, i: number): number {
  if (!shard.header.valueTargets) return recordOutcome(shard, i);
  const b = shard.records[(i + 1) * shard.header.recordSize - 1]!;
  return (b > 127 ? b - 256 : b) / 127;
}

/** Writes record i's π normalised to probabilities into out[offset .. offset+area+1); returns the raw sum. */
export function recordPolicy(shard: ShardData, i: number, out: Float32Array, offset = 0): number {
  const { boardSize, historyLength, recordSize } = shard.header;
  const n = boardSize * boardSize + 1;
  const at = i * recordSize + historyLength * packedPositionBytes(boardSize) + 2;
  const bytes = shard.records;
  let sum = 0;
  for (let a = 0; a < n; a++) {
    const w = bytes[at + 2 * a]! | (bytes[at + 2 * a + 1]! << 8);
    out[offset + a] = w;
    sum += w;
  }
  if (sum > 0) for (let a = 0; a < n; a++) out[offset + a] = out[offset + a]! / sum;
  return sum;
}

/** Record i as a plain object (tests, tools). */
export function readRecord(shard: ShardData, i: number): TrainingRecord {
  const area = shard.header.boardSize ** 2;
  const history = new Uint8Array(shard.header.historyLength * area);
  recordHistory(shard, i, history);
  const { boardSize, historyLength, recordSize } = shard.header;
  const at = i * recordSize + historyLength * packedPositionBytes(boardSize) + 2;
  const policy = new Float32Array(area + 1);
  for (let a = 0; a <= area; a++) policy[a] = shard.records[at + 2 * a]! | (shard.records[at + 2 * a + 1]! << 8);
  return { history, toPlay: recordToPlay(shard, i), policy, z: recordOutcome(shard, i), q: recordValueTarget(shard, i) };
}

/** Shard files in a directory tree (sorted by path, which sorts them by generation then index). */
export function listShardFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      if (entry.name.startsWith('.tmp-')) continue;
      const p = join(d, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (entry.name.endsWith(SHARD_EXTENSION)) out.push(p);
    }
  };
  walk(dir);
  return out.sort();
}

export interface LoadedShards {
  shards: ShardData[];
  /** Shards skipped because they failed validation, with the reason. */
  corrupt: { path: string; reason: string }[];
}

/** Reads shards, skipping (and reporting) the corrupt ones rather than failing the whole load. */
export function loadShards(paths: readonly string[], expect?: { boardSize: number }): LoadedShards {
  const shards: ShardData[] = [];
  const corrupt: { path: string; reason: string }[] = [];
  for (const path of paths) {
    try {
      const shard = readShard(path);
      if (expect !== undefined && shard.header.boardSize !== expect.boardSize) {
        throw new ShardError(path, `board size ${shard.header.boardSize}, expected ${expect.boardSize}`);
      }
      shards.push(shard);
    } catch (e) {
      corrupt.push({ path, reason: e instanceof ShardError ? e.message.slice(path.length + 2) : String(e) });
    }
  }
  return { shards, corrupt };
}
