/**
 * The GTP command loop: input bytes in, framed responses out, one command at a time in arrival order.
 * All framing happens here (ids, '=' / '?', the closing empty line, streamed responses), so handlers
 * only return text or throw. Interruptible commands (lz-analyze, kata-analyze) are aborted as soon as
 * any further input line arrives, an empty one included, as Leela Zero and KataGo behave.
 */
import { findCommand, type CommandContext } from './commands.js';
import type { GtpEngine } from './engine.js';
import {
  GtpError,
  LineSplitter,
  MAX_LINE_BYTES,
  formatFailure,
  formatStreamEnd,
  formatStreamLine,
  formatStreamStart,
  formatSuccess,
  parseCommandLine,
  preprocessLine,
  type InputLine,
} from './protocol.js';

export interface GtpServerOptions {
  /** Receives every byte of protocol output (stdout). */
  write: (text: string) => void;
  /** Diagnostics (stderr); never protocol output. */
  log: (message: string) => void;
  maxLineBytes?: number;
}

type QueuedLine = { kind: 'command'; text: string } | { kind: 'blank' } | { kind: 'overlong'; prefix: string; bytes: number };

export class GtpServer {
  /** Resolves once `quit` was answered, or the input ended and every command before it was answered. */
  readonly finished: Promise<void>;
  private resolveFinished!: () => void;
  private readonly splitter: LineSplitter;
  /** Lines not yet executed: queue[queueHead..]. A head index, since shift() is O(n) on big bulk input. */
  private queue: QueuedLine[] = [];
  private queueHead = 0;
  private running: { controller: AbortController; interruptible: boolean } | null = null;
  private processing = false;
  private inputEnded = false;
  private quitting = false;

  constructor(
    private readonly engine: GtpEngine,
    private readonly options: GtpServerOptions,
  ) {
    this.splitter = new LineSplitter(options.maxLineBytes ?? MAX_LINE_BYTES);
    this.finished = new Promise((resolve) => (this.resolveFinished = resolve));
  }

  private get pendingLines(): number {
    return this.queue.length - this.queueHead;
  }

  get hasQuit(): boolean {
    return this.quitting;
  }

  /** Feeds input bytes (stdin data). */
  feed(data: Buffer | string): void {
    if (this.quitting) return;
    for (const line of this.splitter.push(data)) this.enqueue(line);
    void this.pump();
  }

  /** End of input: answers what is queued, then finishes. */
  end(): void {
    for (const line of this.splitter.end()) this.enqueue(line);
    this.inputEnded = true;
    // Nobody is left to stop an analysis: stop it now.
    if (this.running?.interruptible) this.running.controller.abort();
    void this.pump();
  }

  private enqueue(line: InputLine): void {
    if (this.quitting) return;
    // Any input line stops a running analysis.
    if (this.running?.interruptible) this.running.controller.abort();
    if (line.kind === 'overlong') {
      this.queue.push(line);
      return;
    }
    const text = preprocessLine(line.text);
    this.queue.push(text === '' ? { kind: 'blank' } : { kind: 'command', text });
  }

  private async pump(): Promise<void> {
    if (this.processing) return;
    this.processing = true;
    try {
      while (this.pendingLines > 0 && !this.quitting) {
        const line = this.queue[this.queueHead++]!;
        if (this.queueHead >= 1024 && this.queueHead * 2 >= this.queue.length) {
          this.queue = this.queue.slice(this.queueHead);
          this.queueHead = 0;
        }
        await this.execute(line);
      }
    } finally {
      this.processing = false;
    }
    if (this.quitting || (this.inputEnded && this.pendingLines === 0)) this.resolveFinished();
  }

  private async execute(line: QueuedLine): Promise<void> {
    const write = this.options.write;
    if (line.kind === 'blank') return;
    if (line.kind === 'overlong') {
      const { id } = parseCommandLine(preprocessLine(line.prefix) || 'x');
      this.options.log(`dropped a ${line.bytes}-byte input line (limit ${this.options.maxLineBytes ?? MAX_LINE_BYTES})`);
      write(formatFailure(id, 'line too long'));
      return;
    }
    const { id, name, args } = parseCommandLine(line.text);
    if (name === '') {
      write(formatFailure(id, 'syntax error'));
      return;
    }
    const spec = findCommand(name);
    if (spec === undefined) {
      write(formatFailure(id, 'unknown command'));
      return;
    }
    const controller = new AbortController();
    const interruptible = spec.interruptible === true;
    this.running = { controller, interruptible };
    // Input that arrived before an analysis started stops it at once (the controller has moved on).
    if (interruptible && (this.pendingLines > 0 || this.inputEnded)) controller.abort();
    let streaming = false;
    const context: CommandContext = {
      signal: controller.signal,
      startStream: () => {
        if (streaming) return;
        streaming = true;
        write(formatStreamStart(id));
      },
      streamLine: (text) => {
        if (streaming) write(formatStreamLine(text));
      },
      requestQuit: () => {
        this.quitting = true;
      },
    };
    try {
      const result = await spec.run(this.engine, args, context);
      write(streaming ? formatStreamEnd(result) : formatSuccess(id, result));
    } catch (e) {
      let message: string;
      if (e instanceof GtpError) {
        message = e.message;
      } else {
        // A bug, not a controller mistake: keep serving, tell the controller, leave details on stderr.
        this.options.log(`internal error in '${name}': ${(e as Error)?.stack ?? String(e)}`);
        message = `internal error: ${(e as Error)?.message ?? String(e)}`;
      }
      write(streaming ? formatStreamEnd('') : formatFailure(id, message));
    } finally {
      this.running = null;
    }
  }
}
