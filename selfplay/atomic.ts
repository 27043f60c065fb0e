/**
 * Crash-safe file writes. Every file a run keeps (shards, checkpoints, JSON records) is written to a temp
 * file in the same directory, fsynced, then renamed over the target, and the directory is fsynced: after a
 * SIGKILL or power loss a reader sees either the old file or the new one, never a torn one.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync, existsSync, readFileSync, readSync, statSync } from 'node:fs';
import { dirname, basename, join } from 'node:path';

let tempCounter = 0;

/** A temp path beside `path` (same filesystem, so rename is atomic); names start with '.tmp-' so scans skip them. */
export function tempPathFor(path: string): string {
  tempCounter++;
  return join(dirname(path), `.tmp-${process.pid}-${tempCounter}-${basename(path)}`);
}

export function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Some filesystems refuse fsync on directories; the rename is still atomic there.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

export function writeFileAtomic(path: string, data: Uint8Array | string): void {
  mkdirSync(dirname(path), { recursive: true });
  const temp = tempPathFor(path);
  const fd = openSync(temp, 'w');
  try {
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    let off = 0;
    while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
    fsyncSync(fd);
  } catch (e) {
    closeSync(fd);
    rmSync(temp, { force: true });
    throw e;
  }
  closeSync(fd);
  renameSync(temp, path);
  fsyncDir(dirname(path));
}

export function writeJsonAtomic(path: string, value: unknown): void {
  writeFileAtomic(path, `${JSON.stringify(value, null, 2)}\n`);
}

export function readJson<T>(path: string): T {
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

export function readJsonIfExists<T>(path: string): T | null {
  return existsSync(path) ? readJson<T>(path) : null;
}

/**
 * Appends one line and fsyncs. A kill mid-append can leave a torn last line; readers of append-only logs
 * (readJsonLines) drop a line that does not parse, and appendLine starts a fresh line after a torn one.
 */
export function appendLine(path: string, line: string): void {
  mkdirSync(dirname(path), { recursive: true });
  let prefix = '';
  if (existsSync(path)) {
    const size = statSync(path).size;
    if (size > 0) {
      const last = Buffer.alloc(1);
      const rfd = openSync(path, 'r');
      readSync(rfd, last, 0, 1, size - 1);
      closeSync(rfd);
      if (last[0] !== 0x0a) prefix = '\n';
    }
  }
  const fd = openSync(path, 'a');
  try {
    writeSync(fd, `${prefix}${line}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Parses a JSON-lines file, skipping lines that do not parse (a torn tail after a kill). */
export function readJsonLines<T>(path: string): T[] {
  if (!existsSync(path)) return [];
  const out: T[] = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    try {
      out.push(JSON.parse(line) as T);
    } catch {
      // torn line from an interrupted append
    }
  }
  return out;
}
