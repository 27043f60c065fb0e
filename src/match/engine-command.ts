/**
 * Engine command lines for `tengen match` / `tengen collect`: split like a shell would (quotes, escapes),
 * and a leading `tengen` runs this very installation (node + this CLI), so `--black "tengen gtp --visits 50"`
 * works without tengen on the PATH.
 */
import { fileURLToPath } from 'node:url';

export function splitCommandLine(text: string): string[] {
  const out: string[] = [];
  let current = '';
  let quote: '"' | "'" | null = null;
  let started = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quote !== null) {
      if (ch === quote) quote = null;
      else if (ch === '\\' && quote === '"' && i + 1 < text.length) current += text[++i];
      else current += ch;
      continue;
    }
    if (ch === '"' || ch === "'") {
      quote = ch;
      started = true;
    } else if (ch === '\\' && i + 1 < text.length) {
      current += text[++i];
      started = true;
    } else if (/\s/.test(ch)) {
      if (started) out.push(current);
      current = '';
      started = false;
    } else {
      current += ch;
      started = true;
    }
  }
  if (quote !== null) throw new SyntaxError(`unterminated quote in command: ${text}`);
  if (started) out.push(current);
  return out;
}

/** [program, ...args] for an engine command line; `tengen ...` becomes `node <this cli> ...`. */
export function resolveEngineCommand(text: string): { program: string; args: string[] } {
  const argv = splitCommandLine(text);
  if (argv.length === 0) throw new RangeError('empty engine command');
  if (argv[0] === 'tengen') {
    const cli = fileURLToPath(new URL('../cli.js', import.meta.url));
    return { program: process.execPath, args: [cli, ...argv.slice(1)] };
  }
  return { program: argv[0]!, args: argv.slice(1) };
}
