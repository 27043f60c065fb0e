/**
 * GTP v2 wire format: turning raw input bytes into command lines, and responses into framed text.
 * Nothing here knows any command; the command table and the session live in commands.ts and engine.ts.
 *
 * Spec (GTP v2, section 3): control characters other than HT and LF are discarded, HT becomes a space,
 * everything from '#' on is a comment, lines that are then empty (or white space) are ignored. A command
 * is `[id] command_name [arguments]`; a response is `=[id] result\n\n` or `?[id] message\n\n`.
 */

/** Longest accepted command line, in bytes. Longer lines are answered with an error and not buffered. */
export const MAX_LINE_BYTES = 64 * 1024;

/** A failure a command reports to the controller: the message becomes the `?` response text. */
export class GtpError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GtpError';
  }
}

export interface ParsedCommand {
  /** Identity number to echo, or null when the command had none. */
  readonly id: number | null;
  readonly name: string;
  readonly args: readonly string[];
}

/**
 * Applies the spec's preprocessing to one line (without its LF): drops control characters except HT,
 * turns HT into a space, cuts the comment, trims. Returns '' for lines the engine must ignore.
 */
export function preprocessLine(raw: string): string {
  let out = '';
  for (let i = 0; i < raw.length; i++) {
    const code = raw.charCodeAt(i);
    if (code === 35 /* '#' */) break;
    if (code === 9) out += ' ';
    else if (code >= 32 && code !== 127) out += raw[i];
  }
  return out.trim();
}

/**
 * Splits a preprocessed, non-empty line into id, command name and arguments. A leading token of digits
 * is the id (up to 9 digits so it stays a safe integer); a line with an id and nothing else has an
 * empty command name, which the dispatcher reports as a syntax error.
 */
export function parseCommandLine(line: string): ParsedCommand {
  const tokens = line.split(/ +/).filter((t) => t.length > 0);
  let id: number | null = null;
  if (tokens.length > 0 && /^\d{1,9}$/.test(tokens[0]!)) {
    id = Number(tokens.shift());
  }
  const name = tokens.shift() ?? '';
  return { id, name, args: tokens };
}

/** Response text may span lines but must never contain an empty line (that would end the response). */
export function sanitizeResponseText(text: string): string {
  return text
    .replace(/\r/g, '')
    .split('\n')
    .filter((line) => line.trim().length > 0)
    .join('\n');
}

function idText(id: number | null): string {
  return id === null ? '' : String(id);
}

export function formatSuccess(id: number | null, text: string): string {
  const body = sanitizeResponseText(text);
  return `=${idText(id)} ${body}\n\n`;
}

export function formatFailure(id: number | null, message: string): string {
  const body = sanitizeResponseText(message) || 'failed';
  return `?${idText(id)} ${body}\n\n`;
}

/** First line of a streamed response (lz-analyze and friends): `=id` alone, as Leela Zero and KataGo write it. */
export function formatStreamStart(id: number | null): string {
  return `=${idText(id)}\n`;
}

/** One line inside a streamed response; any newline inside is flattened so it stays one non-empty line. */
export function formatStreamLine(text: string): string {
  const flat = text.replace(/[\r\n]+/g, ' ').trim();
  return flat.length === 0 ? '' : `${flat}\n`;
}

/** Ends a streamed response: an optional last line (`play D4`), then the empty line. */
export function formatStreamEnd(text: string): string {
  const flat = text.replace(/[\r\n]+/g, ' ').trim();
  return flat.length === 0 ? '\n' : `${flat}\n\n`;
}

/** What the line splitter hands on: a line of text, or the note that a line was too long and dropped. */
export type InputLine = { kind: 'line'; text: string } | { kind: 'overlong'; prefix: string; bytes: number };

/**
 * Splits an input byte stream into lines on LF. A line longer than `maxBytes` is not buffered: its first
 * bytes are kept (to recover the id) and the rest is counted and discarded until the next LF.
 * Bytes are decoded as UTF-8 per line (malformed sequences become U+FFFD, which later reads as an
 * unknown command, never as a crash).
 */
export class LineSplitter {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private overlong: { prefix: string; bytes: number } | null = null;

  constructor(private readonly maxBytes: number = MAX_LINE_BYTES) {}

  /** Feeds bytes; returns the complete lines they finish. */
  push(data: Buffer | string): InputLine[] {
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    const out: InputLine[] = [];
    let start = 0;
    while (start <= bytes.length) {
      const lf = bytes.indexOf(10, start);
      const end = lf < 0 ? bytes.length : lf;
      this.append(bytes.subarray(start, end));
      if (lf < 0) break;
      out.push(this.takeLine());
      start = lf + 1;
    }
    return out;
  }

  /** End of input: a last line without LF still counts. */
  end(): InputLine[] {
    if (this.buffered === 0 && this.overlong === null) return [];
    return [this.takeLine()];
  }

  private append(piece: Buffer): void {
    if (piece.length === 0) return;
    if (this.overlong !== null) {
      this.overlong.bytes += piece.length;
      return;
    }
    if (this.buffered + piece.length > this.maxBytes) {
      const head = Buffer.concat([...this.chunks, piece.subarray(0, Math.max(0, 64 - this.buffered))]).subarray(0, 64);
      this.overlong = { prefix: head.toString('latin1'), bytes: this.buffered + piece.length };
      this.chunks = [];
      this.buffered = 0;
      return;
    }
    // Copy: the caller's buffer may be reused by the stream after this call.
    this.chunks.push(Buffer.from(piece));
    this.buffered += piece.length;
  }

  private takeLine(): InputLine {
    if (this.overlong !== null) {
      const line: InputLine = { kind: 'overlong', ...this.overlong };
      this.overlong = null;
      return line;
    }
    const text = Buffer.concat(this.chunks, this.buffered).toString('utf8');
    this.chunks = [];
    this.buffered = 0;
    return { kind: 'line', text };
  }
}
