/**
 * Worker threads and pool jobs load JavaScript from dist/, never TypeScript sources: vitest runs the
 * sources, and the threads they start must still find compiled code. This is the one place that knows
 * where dist/ is, for every worker and job module.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** dist/ of the package: this module is dist/src/compiled-module.js when compiled, src/compiled-module.ts as a source. */
function distRoot(): URL {
  const here = new URL(import.meta.url);
  return here.pathname.endsWith('.js') ? new URL('../', here) : new URL('../dist/', here);
}

/**
 * The compiled module at `path` under dist/ (e.g. 'src/nn/net-thread-worker.js'). When it is not built,
 * throws `error` of a message naming `what` and saying to run the build.
 */
export function compiledModule(path: string, what: string, error: (message: string) => Error = (message) => new Error(message)): URL {
  const url = new URL(path, distRoot());
  if (!existsSync(fileURLToPath(url))) throw error(`compiled ${what} not found at ${fileURLToPath(url)}: run \`npm run build\` first`);
  return url;
}
