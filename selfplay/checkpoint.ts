/**
 * Trainer checkpoints: one file holding the trainer state (every weight and momentum buffer, src/nn/trainer.ts)
 * and where training stands, so a killed `tengen train` / `tengen run` resumes at the last checkpoint.
 *
 * Layout: 'TGCK' magic, u32 JSON header length, the JSON header, the float32 data of every tensor in header
 * order, and a CRC-32 of everything before it. Written atomically (temp file, fsync, rename).
 */
import { crc32 } from 'node:zlib';
import { existsSync, readFileSync } from 'node:fs';
import { writeFileAtomic } from './atomic.js';
import type { NamedTensor, TrainerState } from '../src/nn/trainer.js';

const MAGIC = 0x4b434754; // 'TGCK'

export interface CheckpointInfo {
  /** Steps taken in this training job. */
  step: number;
  /** Total optimizer steps of the network (its trainingSteps) at this point. */
  totalSteps: number;
  /** The network training started from. */
  parent: string;
}

interface Header extends CheckpointInfo {
  format: 'tengen-checkpoint';
  version: 1;
  tensors: { kind: 'w' | 'u'; name: string; shape: number[] }[];
}

export function encodeCheckpoint(info: CheckpointInfo, state: TrainerState): Uint8Array {
  const all: { kind: 'w' | 'u'; t: NamedTensor }[] = [
    ...state.weights.map((t) => ({ kind: 'w' as const, t })),
    ...state.velocities.map((t) => ({ kind: 'u' as const, t })),
  ];
  const header: Header = {
    format: 'tengen-checkpoint',
    version: 1,
    ...info,
    tensors: all.map(({ kind, t }) => ({ kind, name: t.name, shape: t.shape })),
  };
  const json = new TextEncoder().encode(JSON.stringify(header));
  const floats = all.reduce((n, { t }) => n + t.data.length, 0);
  const dataStart = 8 + json.length + ((4 - ((8 + json.length) % 4)) % 4);
  const out = new Uint8Array(dataStart + floats * 4 + 4);
  const view = new DataView(out.buffer);
  view.setUint32(0, MAGIC, true);
  view.setUint32(4, json.length, true);
  out.set(json, 8);
  let off = dataStart;
  for (const { t } of all) {
    out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), off);
    off += t.data.byteLength;
  }
  view.setUint32(off, crc32(out.subarray(0, off)) >>> 0, true);
  return out;
}

export function decodeCheckpoint(path: string, bytes: Uint8Array): { info: CheckpointInfo; state: TrainerState } {
  const fail = (why: string): never => {
    throw new Error(`checkpoint ${path}: ${why}`);
  };
  if (bytes.length < 12) fail('truncated');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(0, true) !== MAGIC) fail('not a tengen checkpoint');
  const end = bytes.length - 4;
  if ((crc32(bytes.subarray(0, end)) >>> 0) !== view.getUint32(end, true)) fail('checksum mismatch');
  const jsonLength = view.getUint32(4, true);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + jsonLength))) as Header;
  if (header.format !== 'tengen-checkpoint' || header.version !== 1) fail('unsupported format');
  let off = 8 + jsonLength + ((4 - ((8 + jsonLength) % 4)) % 4);
  const state: TrainerState = { weights: [], velocities: [] };
  for (const t of header.tensors) {
    const n = t.shape.reduce((a, b) => a * b, 1);
    if (off + n * 4 > end) fail('tensor data shorter than its header says');
    const data = new Float32Array(n);
    new Uint8Array(data.buffer).set(bytes.subarray(off, off + n * 4));
    off += n * 4;
    (t.kind === 'w' ? state.weights : state.velocities).push({ name: t.name, shape: t.shape, data });
  }
  if (off !== end) fail('trailing bytes');
  return { info: { step: header.step, totalSteps: header.totalSteps, parent: header.parent }, state };
}

export function writeCheckpoint(path: string, info: CheckpointInfo, state: TrainerState): void {
  writeFileAtomic(path, encodeCheckpoint(info, state));
}

export function readCheckpoint(path: string): { info: CheckpointInfo; state: TrainerState } | null {
  if (!existsSync(path)) return null;
  return decodeCheckpoint(path, readFileSync(path));
}
