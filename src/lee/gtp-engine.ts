/**
 * A minimal GTP client for `tengen collect`: starts an engine process and sends it one command at a time.
 * (gtp/ had no client when this was written; if gtp/client.ts appears, collect can move to it.)
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';

export class GtpError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GtpError';
  }
}

export class GtpEngine {
  private readonly child: ChildProcessWithoutNullStreams;
  private buffer = '';
  private pending: { resolve: (text: string) => void; reject: (e: Error) => void } | null = null;
  private exited: Error | null = null;
  private stderrTail = '';

  /** `command` is run through the shell, so it may carry arguments and quoting. */
  constructor(readonly command: string) {
    this.child = spawn(command, { shell: true, stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdout.setEncoding('utf8');
    this.child.stderr.setEncoding('utf8');
    this.child.stdout.on('data', (chunk: string) => this.onData(chunk));
    this.child.stderr.on('data', (chunk: string) => {
      this.stderrTail = (this.stderrTail + chunk).slice(-2000);
    });
    const fail = (why: string): void => {
      this.exited = new GtpError(`engine '${command}' ${why}${this.stderrTail ? `: ${this.stderrTail.trim()}` : ''}`);
      this.pending?.reject(this.exited);
      this.pending = null;
    };
    this.child.on('error', (e) => fail(`failed to start (${e.message})`));
    this.child.on('exit', (code, signal) => fail(`exited (${signal ?? `code ${code}`})`));
    this.child.stdin.on('error', () => undefined);
  }

  /** Sends one command; resolves with the response text after `= `, rejects with GtpError on `? ...`. */
  send(command: string): Promise<string> {
    if (this.exited !== null) return Promise.reject(this.exited);
    if (this.pending !== null) return Promise.reject(new GtpError('one GTP command at a time'));
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
      this.child.stdin.write(`${command}\n`);
    });
  }

  async quit(): Promise<void> {
    if (this.exited === null) {
      try {
        await Promise.race([this.send('quit'), new Promise((r) => setTimeout(r, 2000))]);
      } catch {
        // Already gone.
      }
    }
    if (this.exited === null) this.child.kill();
  }

  private onData(chunk: string): void {
    this.buffer += chunk.replace(/\r/g, '');
    for (;;) {
      const end = this.buffer.indexOf('\n\n');
      if (end < 0) return;
      const response = this.buffer.slice(0, end).trim();
      this.buffer = this.buffer.slice(end + 2);
      const pending = this.pending;
      this.pending = null;
      if (pending === null) continue;
      const body = response.replace(/^[=?]\d*\s?/, '');
      if (response.startsWith('=')) pending.resolve(body.trim());
      else pending.reject(new GtpError(`'${this.command}' answered '? ${body.trim()}'`));
    }
  }
}
