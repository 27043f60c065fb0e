/**
 * The controller side of GTP: drives an engine process (tengen, GNU Go, KataGo, ...) over its stdio.
 * Commands are numbered and answered in order; each response is collected up to its closing empty
 * line, streamed body lines (lz-analyze `info ...`) are handed out as they arrive.
 *
 *   const gnugo = GtpClient.spawn('/usr/games/gnugo', ['--mode', 'gtp', '--chinese-rules']);
 *   await gnugo.send('boardsize 9');
 *   const vertex = await gnugo.send('genmove b');   // 'D4', 'pass' or 'resign'
 *   await gnugo.quit();
 *
 * The refereed game between two clients is in referee.ts (re-exported here).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';

export { playRefereedGame, type RefereeOptions, type RefereedGame, type RefereedMove } from './referee.js';

/** A `?` response. */
export class GtpCommandError extends Error {
  constructor(
    readonly command: string,
    readonly response: string,
  ) {
    super(`'${command}' failed: ${response}`);
    this.name = 'GtpCommandError';
  }
}

export interface GtpResponse {
  ok: boolean;
  /** The id the engine echoed, or null. */
  id: number | null;
  /** Response text without the status character, id and closing empty line; lines joined by '\n'. */
  text: string;
}

export interface GtpClientOptions {
  /** A name for error messages and logs (default: the command). */
  name?: string;
  /** Milliseconds a command may take before it fails and the engine is killed (default: none). */
  commandTimeoutMs?: number;
  /** What to do with the engine's stderr: forward each line to a function, 'inherit', or 'ignore' (default). */
  stderr?: 'ignore' | 'inherit' | ((line: string) => void);
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

interface Pending {
  command: string;
  id: number;
  resolve: (response: GtpResponse) => void;
  reject: (error: Error) => void;
  onLine?: (line: string) => void;
  timer?: NodeJS.Timeout;
}

export class GtpClient {
  readonly name: string;
  private readonly input: Writable;
  private readonly child: ChildProcess | null;
  private readonly pending: Pending[] = [];
  private nextId = 1;
  private buffer = '';
  /** Lines of the response being read (first line still carries '=id'). */
  private current: string[] | null = null;
  private closedError: Error | null = null;
  private readonly exited: Promise<number | null>;
  private readonly timeoutMs: number | undefined;

  /** Talks to an engine over given streams (tests run an engine in-process this way). */
  constructor(input: Writable, output: Readable, options: GtpClientOptions & { child?: ChildProcess } = {}) {
    this.input = input;
    this.child = options.child ?? null;
    this.name = options.name ?? 'engine';
    this.timeoutMs = options.commandTimeoutMs;
    output.setEncoding('utf8');
    output.on('data', (chunk: string) => this.receive(chunk));
    output.on('end', () => this.fail(new Error(`${this.name}: output closed`)));
    input.on('error', (e) => this.fail(new Error(`${this.name}: ${e.message}`)));
    this.exited = new Promise((resolve) => {
      if (this.child === null) {
        output.on('close', () => resolve(null));
        return;
      }
      this.child.on('exit', (code) => {
        this.fail(new Error(`${this.name} exited (code ${code})`));
        resolve(code);
      });
      this.child.on('error', (e) => {
        this.fail(new Error(`${this.name}: ${e.message}`));
        resolve(null);
      });
    });
  }

  /** Starts an engine process. */
  static spawn(command: string, args: readonly string[] = [], options: GtpClientOptions = {}): GtpClient {
    const stderr = options.stderr ?? 'ignore';
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env,
      stdio: ['pipe', 'pipe', typeof stderr === 'function' ? 'pipe' : stderr],
    });
    if (typeof stderr === 'function') {
      let rest = '';
      child.stderr!.setEncoding('utf8');
      child.stderr!.on('data', (chunk: string) => {
        const lines = (rest + chunk).split('\n');
        rest = lines.pop()!;
        for (const line of lines) stderr(line);
      });
    }
    return new GtpClient(child.stdin!, child.stdout!, { ...options, name: options.name ?? command, child });
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** True once the engine's output closed, it timed out or its input failed: every further command fails. */
  get closed(): boolean {
    return this.closedError !== null;
  }

  /** Sends a command; resolves with the response text, rejects with GtpCommandError on '?'. */
  async send(command: string, options: { timeoutMs?: number } = {}): Promise<string> {
    const response = await this.request(command, options);
    if (!response.ok) throw new GtpCommandError(command, response.text);
    return response.text;
  }

  /**
   * Sends a command and resolves with its response, success or failure. `onLine` sees each body line
   * as it arrives (the `info ...` lines of lz-analyze); stop an analysis with `interrupt()`.
   */
  request(command: string, options: { onLine?: (line: string) => void; timeoutMs?: number } = {}): Promise<GtpResponse> {
    if (/[\r\n]/.test(command)) return Promise.reject(new Error('a GTP command is one line'));
    if (this.closedError !== null) return Promise.reject(this.closedError);
    const id = this.nextId++;
    return new Promise<GtpResponse>((resolve, reject) => {
      const entry: Pending = { command, id, resolve, reject, onLine: options.onLine };
      const timeoutMs = options.timeoutMs ?? this.timeoutMs;
      if (timeoutMs !== undefined) {
        entry.timer = setTimeout(() => {
          this.fail(new Error(`${this.name}: no answer to '${command}' within ${timeoutMs} ms`));
          this.child?.kill();
        }, timeoutMs);
      }
      this.pending.push(entry);
      this.input.write(`${id} ${command}\n`);
    });
  }

  /** Sends an empty line: ends a running lz-analyze / kata-analyze. */
  interrupt(): void {
    if (this.closedError === null) this.input.write('\n');
  }

  /** Sends `quit` and waits for the process to end (killing it after `graceMs`). */
  async quit(graceMs = 2000): Promise<void> {
    if (this.closedError === null) {
      try {
        await this.send('quit');
      } catch {
        // Already gone, or answered '?': end it anyway.
      }
    }
    this.input.end();
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        this.child?.kill('SIGKILL');
        resolve();
      }, graceMs);
    });
    await Promise.race([this.exited, grace]);
    clearTimeout(timer);
  }

  /** Kills the engine process. */
  kill(): void {
    this.child?.kill('SIGKILL');
  }

  private receive(chunk: string): void {
    this.buffer += chunk;
    let newline: number;
    while ((newline = this.buffer.indexOf('\n')) >= 0) {
      const line = this.buffer.slice(0, newline).replace(/\r$/, '');
      this.buffer = this.buffer.slice(newline + 1);
      this.receiveLine(line);
    }
  }

  private receiveLine(line: string): void {
    if (this.current === null) {
      // Outside a response only a status line starts one; stray blank lines are tolerated.
      if (line.startsWith('=') || line.startsWith('?')) this.current = [line];
      return;
    }
    if (line.trim() === '') {
      this.finish(this.current);
      this.current = null;
      return;
    }
    this.current.push(line);
    this.pending[0]?.onLine?.(line);
  }

  private finish(lines: string[]): void {
    const entry = this.pending.shift();
    if (entry === undefined) return;
    if (entry.timer !== undefined) clearTimeout(entry.timer);
    const head = /^([=?])(\d*)\s?(.*)$/.exec(lines[0]!)!;
    const id = head[2] === '' ? null : Number(head[2]);
    const parts = [head[3]!, ...lines.slice(1)];
    // '=' alone on its line (streamed responses, empty multi-line starts): the text begins on the next line.
    if (parts[0] === '' && parts.length > 1) parts.shift();
    if (id !== null && id !== entry.id) {
      entry.reject(new Error(`${this.name}: answer id ${id} to command ${entry.id} '${entry.command}'`));
      return;
    }
    entry.resolve({ ok: head[1] === '=', id, text: parts.join('\n').trimEnd() });
  }

  private fail(error: Error): void {
    if (this.closedError === null) this.closedError = error;
    for (const entry of this.pending.splice(0)) {
      if (entry.timer !== undefined) clearTimeout(entry.timer);
      entry.reject(error);
    }
  }
}
