/**
 * Progress display: a cli-progress bar on a terminal, and a plain line every few seconds otherwise (logs,
 * CI), so long phases (games, training steps, gating games) always show where they are.
 */
import cliProgress from 'cli-progress';

export interface Progress {
  update(done: number, fields?: Record<string, string | number>): void;
  stop(): void;
}

export function createProgress(label: string, total: number, options: { enabled?: boolean; stream?: NodeJS.WriteStream } = {}): Progress {
  const stream = options.stream ?? process.stderr;
  if (options.enabled === false) return { update() {}, stop() {} };
  if (stream.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        format: `${label.padEnd(9)} [{bar}] {value}/{total} {info}`,
        stream,
        hideCursor: true,
        clearOnComplete: false,
        etaBuffer: 20,
      },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total, 0, { info: '' });
    return {
      update(done, fields) {
        bar.update(done, { info: formatFields(fields) });
      },
      stop() {
        bar.stop();
      },
    };
  }
  let lastPrint = 0;
  let lastDone = -1;
  const print = (done: number, fields?: Record<string, string | number>): void => {
    stream.write(`${label}: ${done}/${total} ${formatFields(fields)}\n`);
    lastPrint = Date.now();
    lastDone = done;
  };
  return {
    update(done, fields) {
      if (Date.now() - lastPrint >= 5000 || done === total) print(done, fields);
    },
    stop() {
      void lastDone;
    },
  };
}

function formatFields(fields?: Record<string, string | number>): string {
  if (fields === undefined) return '';
  return Object.entries(fields)
    .map(([k, v]) => `${k} ${typeof v === 'number' ? (Number.isInteger(v) ? v : v.toPrecision(3)) : v}`)
    .join('  ');
}
