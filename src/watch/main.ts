/**
 * `tengen watch [--port 8080] [--host 127.0.0.1] [--token T]`: the standalone viewer server.
 */
import { parseArgs } from 'node:util';
import { runWatchCommand } from './command.js';
import { WATCH_SERVER_DEFAULTS } from './config.js';

/** Environment variable holding the token, so that it need not appear in `ps` output. */
export const WATCH_TOKEN_ENV = 'TENGEN_WATCH_TOKEN';

const HELP = `usage: tengen watch [--port N] [--host HOST] [--token TOKEN]

Serves the live game viewer: open the printed address in a browser. Games arrive from processes
started with --watch URL (tengen selfplay / run / gtp / match --watch ws://127.0.0.1:PORT), which
publish to this server; several can stream into one viewer. (--watch PORT instead starts a viewer
inside that process.)

options:
  --port N        TCP port; 0 picks a free one                              (default ${WATCH_SERVER_DEFAULTS.port})
  --host HOST     interface to listen on; 0.0.0.0 for every interface        (default ${WATCH_SERVER_DEFAULTS.host})
  --token TOKEN   required of viewers beyond loopback and of all publishers  (default: $${WATCH_TOKEN_ENV}, or none)

Without a token, publishers must connect from this machine. The wire protocol is documented in
src/watch/PROTOCOL.md.
`;

export async function main(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        token: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
  } catch (e) {
    process.stderr.write(`tengen watch: ${(e as Error).message}\n\n${HELP}`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const portText = values.port ?? String(WATCH_SERVER_DEFAULTS.port);
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65535) {
    process.stderr.write(`tengen watch: --port must be an integer from 0 to 65535, got '${portText}'\n`);
    return 2;
  }
  const token = values.token ?? process.env[WATCH_TOKEN_ENV] ?? null;
  if (token !== null && token.length < 8) {
    process.stderr.write('tengen watch: the token must have at least 8 characters\n');
    return 2;
  }
  try {
    await runWatchCommand({ port, host: values.host ?? WATCH_SERVER_DEFAULTS.host, token });
  } catch (e) {
    process.stderr.write(`tengen watch: ${(e as Error).message}\n`);
    return 1;
  }
  return 0;
}
