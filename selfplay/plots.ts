/**
 * SVG line charts built from strings (no plotting dependency): the run's loss curves, gating win rates and
 * the Elo of promoted networks. Each chart is a function of plain data so `tengen status` and tests can
 * redraw it from the run's records at any time.
 */
export interface Point {
  x: number;
  y: number;
  /** Optional error bar (e.g. a 95% CI). */
  low?: number;
  high?: number;
}

export interface Series {
  name: string;
  color: string;
  points: readonly Point[];
  /** Draw markers at each point (for sparse series such as one per generation). */
  markers?: boolean;
  /** Join the points with a line (default true; false for a scatter of independent results). */
  line?: boolean;
}

export interface ChartSpec {
  title: string;
  xLabel: string;
  yLabel: string;
  series: readonly Series[];
  /** Horizontal reference lines (e.g. the 55% promotion threshold). */
  guides?: readonly { y: number; label: string }[];
  width?: number;
  height?: number;
  yMin?: number;
  yMax?: number;
}

const MARGIN = { left: 64, right: 150, top: 36, bottom: 48 };

function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** "Nice" tick values covering [lo, hi]: steps of 1, 2 or 5 times a power of ten. */
export function niceTicks(lo: number, hi: number, target = 6): number[] {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return [];
  if (hi <= lo) hi = lo + 1;
  const raw = (hi - lo) / target;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const ticks: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

function fmt(v: number): string {
  const a = Math.abs(v);
  if (a !== 0 && (a >= 1e5 || a < 1e-3)) return v.toExponential(1);
  return String(Number(v.toPrecision(4)));
}

export function lineChartSvg(spec: ChartSpec): string {
  const width = spec.width ?? 720;
  const height = spec.height ?? 400;
  const plotW = width - MARGIN.left - MARGIN.right;
  const plotH = height - MARGIN.top - MARGIN.bottom;
  const all = spec.series.flatMap((s) => s.points).filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y));
  const ys = all.flatMap((p) => [p.y, p.low ?? p.y, p.high ?? p.y]).concat((spec.guides ?? []).map((g) => g.y));
  let xMin = all.length ? Math.min(...all.map((p) => p.x)) : 0;
  let xMax = all.length ? Math.max(...all.map((p) => p.x)) : 1;
  let yMin = spec.yMin ?? (ys.length ? Math.min(...ys) : 0);
  let yMax = spec.yMax ?? (ys.length ? Math.max(...ys) : 1);
  if (xMax === xMin) [xMin, xMax] = [xMin - 1, xMax + 1];
  // Keep markers and error bars at the ends off the frame.
  if (spec.series.some((s) => s.markers)) {
    const padX = (xMax - xMin) * 0.03;
    xMin -= padX;
    xMax += padX;
  }
  if (yMax === yMin) [yMin, yMax] = [yMin - 1, yMax + 1];
  const padY = spec.yMin === undefined && spec.yMax === undefined ? (yMax - yMin) * 0.05 : 0;
  yMin -= padY;
  yMax += padY;
  const sx = (x: number): number => MARGIN.left + ((x - xMin) / (xMax - xMin)) * plotW;
  const sy = (y: number): number => MARGIN.top + (1 - (y - yMin) / (yMax - yMin)) * plotH;
  const n = (v: number): string => v.toFixed(1);

  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`);
  out.push(`<rect width="${width}" height="${height}" fill="white"/>`);
  out.push(`<text x="${width / 2}" y="20" text-anchor="middle" font-size="15">${escapeXml(spec.title)}</text>`);
  for (const t of niceTicks(yMin, yMax)) {
    const y = sy(t);
    out.push(`<line x1="${MARGIN.left}" x2="${MARGIN.left + plotW}" y1="${n(y)}" y2="${n(y)}" stroke="#e5e5e5"/>`);
    out.push(`<text x="${MARGIN.left - 6}" y="${n(y + 4)}" text-anchor="end">${fmt(t)}</text>`);
  }
  for (const t of niceTicks(xMin, xMax)) {
    const x = sx(t);
    out.push(`<line x1="${n(x)}" x2="${n(x)}" y1="${MARGIN.top + plotH}" y2="${MARGIN.top + plotH + 5}" stroke="#333"/>`);
    out.push(`<text x="${n(x)}" y="${MARGIN.top + plotH + 18}" text-anchor="middle">${fmt(t)}</text>`);
  }
  out.push(`<rect x="${MARGIN.left}" y="${MARGIN.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#333"/>`);
  out.push(`<text x="${MARGIN.left + plotW / 2}" y="${height - 10}" text-anchor="middle">${escapeXml(spec.xLabel)}</text>`);
  out.push(
    `<text transform="translate(16 ${MARGIN.top + plotH / 2}) rotate(-90)" text-anchor="middle">${escapeXml(spec.yLabel)}</text>`,
  );
  (spec.guides ?? []).forEach((g, i) => {
    const y = sy(g.y);
    out.push(`<line x1="${MARGIN.left}" x2="${MARGIN.left + plotW}" y1="${n(y)}" y2="${n(y)}" stroke="#999" stroke-dasharray="6 4"/>`);
    // Alternate label ends so labels of nearby guides do not overlap.
    const [x, anchor] = i % 2 === 0 ? [MARGIN.left + 4, 'start'] : [MARGIN.left + plotW - 4, 'end'];
    out.push(`<text x="${x}" y="${n(y - 4)}" text-anchor="${anchor}" fill="#666">${escapeXml(g.label)}</text>`);
  });
  spec.series.forEach((s, i) => {
    const pts = s.points.filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y));
    if (pts.length > 0) {
      for (const p of pts) {
        if (p.low !== undefined && p.high !== undefined) {
          const x = n(sx(p.x));
          out.push(`<line x1="${x}" x2="${x}" y1="${n(sy(p.low))}" y2="${n(sy(p.high))}" stroke="${s.color}" stroke-opacity="0.6"/>`);
        }
      }
      if (s.line !== false) {
        const d = pts.map((p, k) => `${k === 0 ? 'M' : 'L'}${n(sx(p.x))} ${n(sy(p.y))}`).join(' ');
        out.push(`<path d="${d}" fill="none" stroke="${s.color}" stroke-width="1.5"><title>${escapeXml(s.name)}</title></path>`);
      }
      if (s.markers) for (const p of pts) out.push(`<circle cx="${n(sx(p.x))}" cy="${n(sy(p.y))}" r="3" fill="${s.color}"/>`);
    }
    const ly = MARGIN.top + 10 + i * 18;
    const lx = MARGIN.left + plotW + 12;
    out.push(`<line x1="${lx}" x2="${lx + 18}" y1="${ly}" y2="${ly}" stroke="${s.color}" stroke-width="2"/>`);
    out.push(`<text x="${lx + 24}" y="${ly + 4}">${escapeXml(s.name)}</text>`);
  });
  if (all.length === 0) {
    out.push(`<text x="${MARGIN.left + plotW / 2}" y="${MARGIN.top + plotH / 2}" text-anchor="middle" fill="#999">no data yet</text>`);
  }
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

/** Smooths a noisy curve (per-step losses) with a trailing moving average over `window` points. */
export function movingAverage(points: readonly Point[], window: number): Point[] {
  const out: Point[] = [];
  let sum = 0;
  for (let i = 0; i < points.length; i++) {
    sum += points[i]!.y;
    if (i >= window) sum -= points[i - window]!.y;
    out.push({ x: points[i]!.x, y: sum / Math.min(i + 1, window) });
  }
  return out;
}
