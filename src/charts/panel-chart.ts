import { createCanvas, type SKRSContext2D } from '@napi-rs/canvas';

/**
 * A trader's chart, drawn directly on @napi-rs/canvas: stacked panels over one trading-day axis (one slot per
 * bar, so weekends and holidays leave no gaps), candlesticks, volume and histogram bars, lines, guide levels,
 * fill markers, a log scale, the last value labelled on the right axis, dark (Discord's chat background) or
 * light. Chart.js draws one plot area per chart and its financial plugin wants a time scale with calendar
 * gaps; the layout a trader expects (price over volume over RSI over MACD, sharing the x axis) is simpler to
 * draw than to configure. Pure: a spec in, PNG bytes and the panels' pixel rows out (tests read both).
 */
export type Theme = 'dark' | 'light';

export interface Candle { open: number; high: number; low: number; close: number }
export interface Line { label: string; values: Array<number | null>; color: string; width?: number; dashed?: boolean; fill?: string }
export interface Marker { index: number; price: number; side: 'buy' | 'sell' }

export interface Panel {
  name: string;
  /** Share of the plot height. */
  weight: number;
  candles?: Candle[];
  lines?: Line[];
  bars?: { values: number[]; colors: string[]; baseline?: number };
  guides?: Array<{ value: number; label?: string }>;
  markers?: Marker[];
  log?: boolean;
  /** Fixed value range (RSI: 0–100); otherwise fitted to the data. */
  range?: [number, number];
  format?: (v: number) => string;
  /** Label the last value of the candles (or the first line) on the right axis. */
  lastLabel?: boolean;
}

export interface PanelChartSpec {
  title: string;
  subtitle?: string;
  dates: string[];
  panels: Panel[];
  theme?: Theme;
  width?: number;
  height?: number;
}

export interface RenderedChart {
  png: Buffer;
  width: number;
  height: number;
  /** Each panel's plot area in pixels, for tests and image maps. */
  layout: Array<{ name: string; top: number; bottom: number; left: number; right: number }>;
}

export const PALETTE = {
  dark: { bg: '#313338', grid: '#3f4147', axis: '#b5bac1', text: '#f2f3f5', muted: '#949ba4' },
  light: { bg: '#ffffff', grid: '#e5e7eb', axis: '#4b5563', text: '#111827', muted: '#6b7280' },
} as const;
export const UP = '#26a69a';
export const DOWN = '#ef5350';
export const BUY = '#2962ff';
export const SELL = '#ff6d00';

export const FONT = 'DejaVu Sans, Arial, sans-serif';
const MARGIN = { left: 14, right: 78, top: 58, bottom: 30, gap: 10 };

/** Round tick steps (1, 2, 2.5, 5 × 10^k) giving about `count` ticks over [lo, hi]. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Number(v.toFixed(10)));
  return out;
}

function logTicks(lo: number, hi: number): number[] {
  const out: number[] = [];
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) {
    for (const m of [1, 2, 5]) {
      const v = m * 10 ** e;
      if (v >= lo && v <= hi) out.push(v);
    }
  }
  return out.length >= 2 ? out : niceTicks(lo, hi);
}

export function defaultFormat(v: number): string {
  const a = Math.abs(v);
  if (a >= 1e9) return `${(v / 1e9).toFixed(a >= 1e10 ? 0 : 1)}B`;
  if (a >= 1e6) return `${(v / 1e6).toFixed(a >= 1e7 ? 0 : 1)}M`;
  if (a >= 1e4) return `${(v / 1e3).toFixed(0)}K`;
  if (a >= 100) return v.toFixed(0);
  if (a >= 1) return v.toFixed(2);
  return v.toFixed(a >= 0.01 ? 3 : 4);
}

function extent(p: Panel): [number, number] {
  if (p.range) return p.range;
  let lo = Infinity;
  let hi = -Infinity;
  const take = (v: number | null | undefined) => {
    if (v === null || v === undefined || !Number.isFinite(v) || (p.log && v <= 0)) return;
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  };
  p.candles?.forEach((c) => (take(c.low), take(c.high)));
  p.lines?.forEach((l) => l.values.forEach(take));
  p.bars?.values.forEach(take);
  if (p.bars) take(p.bars.baseline ?? 0);
  p.guides?.forEach((g) => take(g.value));
  p.markers?.forEach((m) => take(m.price));
  if (!Number.isFinite(lo)) return [0, 1];
  if (lo === hi) return p.log ? [lo / 1.05, hi * 1.05] : [lo - 1, hi + 1];
  if (p.log) {
    const pad = (Math.log(hi) - Math.log(lo)) * 0.05;
    return [Math.exp(Math.log(lo) - pad), Math.exp(Math.log(hi) + pad)];
  }
  const pad = (hi - lo) * 0.05;
  return [p.bars && lo >= 0 ? Math.max(0, lo - pad) : lo - pad, hi + pad];
}

/** Month (or year) starts along the trading-day axis, labelled, at most ~8. */
function timeTicks(dates: string[]): Array<{ index: number; label: string }> {
  const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const starts: Array<{ index: number; date: string }> = [];
  dates.forEach((d, i) => {
    if (i > 0 && d.slice(0, 7) !== dates[i - 1]!.slice(0, 7)) starts.push({ index: i, date: d });
  });
  if (dates.length <= 45) {
    const step = Math.max(1, Math.ceil(dates.length / 8));
    return dates.map((d, i) => ({ index: i, label: `${MONTHS[Number(d.slice(5, 7)) - 1]} ${Number(d.slice(8, 10))}` })).filter((_, i) => i % step === 0);
  }
  for (const every of [1, 2, 3, 6, 12, 24, 60]) {
    const picked = starts.filter((s) => (Number(s.date.slice(5, 7)) - 1) % Math.min(every, 12) === 0 && (every < 12 || Number(s.date.slice(0, 4)) % (every / 12) === 0));
    if (picked.length <= 8) {
      return picked.map((s) => ({ index: s.index, label: s.date.slice(5, 7) === '01' || every >= 12 ? s.date.slice(0, 4) : MONTHS[Number(s.date.slice(5, 7)) - 1]! }));
    }
  }
  return [];
}

/** A canvas filled with the theme's background, the title (and subtitle) written top-left: every chart's start. */
export function startCanvas(width: number, height: number, themeName: Theme | undefined, title: string, subtitle?: string) {
  const theme = PALETTE[themeName ?? 'dark'];
  const canvas = createCanvas(width, height);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = theme.bg;
  ctx.fillRect(0, 0, width, height);
  ctx.fillStyle = theme.text;
  ctx.font = `bold 20px ${FONT}`;
  ctx.textBaseline = 'alphabetic';
  ctx.fillText(title, 14, 26);
  if (subtitle) {
    ctx.fillStyle = theme.muted;
    ctx.font = `14px ${FONT}`;
    ctx.fillText(subtitle, 14, 46);
  }
  return { canvas, ctx, theme };
}

export function renderPanelChart(spec: PanelChartSpec): RenderedChart {
  const width = spec.width ?? 1200;
  const height = spec.height ?? 675;
  const { canvas, ctx, theme } = startCanvas(width, height, spec.theme, spec.title, spec.subtitle);

  const n = Math.max(1, spec.dates.length);
  const left = MARGIN.left;
  const right = width - MARGIN.right;
  const step = (right - left) / n;
  const xOf = (i: number) => left + step * (i + 0.5);
  const totalWeight = spec.panels.reduce((s, p) => s + p.weight, 0);
  const plotHeight = height - MARGIN.top - MARGIN.bottom - MARGIN.gap * (spec.panels.length - 1);
  const layout: RenderedChart['layout'] = [];
  let top = MARGIN.top;
  const ticks = timeTicks(spec.dates);

  for (const p of spec.panels) {
    const h = Math.round((plotHeight * p.weight) / totalWeight);
    const bottom = top + h;
    layout.push({ name: p.name, top, bottom, left, right });
    const [lo, hi] = extent(p);
    const tf = p.log ? Math.log : (v: number) => v;
    const yOf = (v: number) => bottom - ((tf(v) - tf(lo)) / (tf(hi) - tf(lo))) * h;
    const fmt = p.format ?? defaultFormat;

    // Frame, grid and the right axis.
    ctx.strokeStyle = theme.grid;
    ctx.lineWidth = 1;
    ctx.strokeRect(left + 0.5, top + 0.5, right - left, h);
    ctx.font = `13px ${FONT}`;
    ctx.textBaseline = 'middle';
    const inside = (t: number) => yOf(t) >= top + 6 && yOf(t) <= bottom - 6;
    let yTicks = p.range && p.guides ? [] : p.log ? logTicks(lo, hi) : niceTicks(lo, hi, Math.max(2, Math.round(h / 70)));
    // A short panel whose round ticks fall on its edges would have no scale at all: finer steps then.
    if (!(p.range && p.guides) && !p.log && yTicks.filter(inside).length < 2) yTicks = niceTicks(lo, hi, 5);
    for (const t of yTicks) {
      const y = Math.round(yOf(t)) + 0.5;
      if (!inside(t)) continue;
      ctx.strokeStyle = theme.grid;
      line(ctx, left, y, right, y);
      ctx.fillStyle = theme.axis;
      ctx.fillText(fmt(t), right + 8, y);
    }
    for (const t of ticks) {
      const x = Math.round(xOf(t.index)) + 0.5;
      ctx.strokeStyle = theme.grid;
      line(ctx, x, top, x, bottom);
    }
    for (const g of p.guides ?? []) {
      const y = Math.round(yOf(g.value)) + 0.5;
      ctx.strokeStyle = theme.muted;
      ctx.setLineDash([4, 4]);
      line(ctx, left, y, right, y);
      ctx.setLineDash([]);
      ctx.fillStyle = theme.axis;
      ctx.fillText(g.label ?? fmt(g.value), right + 8, y);
    }

    ctx.save();
    ctx.beginPath();
    ctx.rect(left, top, right - left, h);
    ctx.clip();
    if (p.bars) {
      const base = yOf(Math.max(lo, p.bars.baseline ?? 0));
      const bw = Math.max(1, Math.floor(step * 0.7));
      p.bars.values.forEach((v, i) => {
        if (!Number.isFinite(v)) return;
        const y = yOf(v);
        ctx.fillStyle = p.bars!.colors[i] ?? theme.muted;
        ctx.fillRect(Math.round(xOf(i) - bw / 2), Math.min(y, base), bw, Math.max(1, Math.abs(base - y)));
      });
    }
    for (const l of p.lines ?? []) {
      if (l.fill) {
        ctx.fillStyle = l.fill;
        ctx.beginPath();
        let started = false;
        let lastX = 0;
        l.values.forEach((v, i) => {
          if (v === null || !Number.isFinite(v)) return;
          if (!started) ctx.moveTo(xOf(i), yOf(Math.max(lo, 0)));
          ctx.lineTo(xOf(i), yOf(v));
          started = true;
          lastX = xOf(i);
        });
        ctx.lineTo(lastX, yOf(Math.max(lo, 0)));
        ctx.closePath();
        ctx.fill();
      }
      ctx.strokeStyle = l.color;
      ctx.lineWidth = l.width ?? 1.5;
      ctx.setLineDash(l.dashed ? [6, 4] : []);
      ctx.beginPath();
      let pen = false;
      l.values.forEach((v, i) => {
        if (v === null || !Number.isFinite(v) || (p.log && v <= 0)) {
          pen = false;
          return;
        }
        if (pen) ctx.lineTo(xOf(i), yOf(v));
        else ctx.moveTo(xOf(i), yOf(v));
        pen = true;
      });
      ctx.stroke();
      ctx.setLineDash([]);
    }
    if (p.candles) {
      const bw = Math.max(1, Math.floor(step * 0.7));
      p.candles.forEach((c, i) => {
        const color = c.close >= c.open ? UP : DOWN;
        const x = Math.round(xOf(i));
        ctx.strokeStyle = color;
        ctx.lineWidth = 1;
        line(ctx, x + 0.5, yOf(c.high), x + 0.5, yOf(c.low));
        const y1 = yOf(Math.max(c.open, c.close));
        const y2 = yOf(Math.min(c.open, c.close));
        ctx.fillStyle = color;
        ctx.fillRect(x - Math.floor(bw / 2), Math.round(y1), bw, Math.max(1, Math.round(y2 - y1)));
      });
    }
    for (const m of p.markers ?? []) {
      const x = xOf(m.index);
      const y = yOf(m.price);
      const s = Math.max(7, Math.min(11, step * 0.9));
      ctx.fillStyle = m.side === 'buy' ? BUY : SELL;
      ctx.strokeStyle = theme.bg;
      ctx.lineWidth = 1;
      ctx.beginPath();
      // ▲ under the fill price for a buy, ▼ above it for a sell; the apex touches the price.
      if (m.side === 'buy') {
        ctx.moveTo(x, y + 2);
        ctx.lineTo(x - s / 2, y + 2 + s);
        ctx.lineTo(x + s / 2, y + 2 + s);
      } else {
        ctx.moveTo(x, y - 2);
        ctx.lineTo(x - s / 2, y - 2 - s);
        ctx.lineTo(x + s / 2, y - 2 - s);
      }
      ctx.closePath();
      ctx.fill();
      ctx.stroke();
    }
    ctx.restore();

    // Legend (top-left inside the panel), and the last value on the right axis.
    ctx.font = `13px ${FONT}`;
    ctx.textBaseline = 'top';
    let lx = left + 8;
    const legend = [{ label: p.name, color: theme.muted }, ...(p.lines ?? []).filter((l) => l.label).map((l) => ({ label: l.label, color: l.color }))];
    for (const item of legend) {
      ctx.fillStyle = item.color;
      ctx.fillText(item.label, lx, top + 6);
      lx += ctx.measureText(item.label).width + 14;
    }
    if (p.lastLabel) {
      const lastCandle = p.candles?.at(-1);
      const firstLine = p.lines?.[0];
      const lastLine = firstLine?.values.filter((v): v is number => v !== null && Number.isFinite(v)).at(-1);
      const v = lastCandle?.close ?? lastLine;
      if (v !== undefined) {
        const color = lastCandle ? (lastCandle.close >= lastCandle.open ? UP : DOWN) : firstLine!.color;
        const y = Math.min(bottom - 9, Math.max(top + 9, yOf(v)));
        ctx.fillStyle = color;
        ctx.fillRect(right + 2, y - 9, MARGIN.right - 4, 18);
        ctx.fillStyle = '#ffffff';
        ctx.textBaseline = 'middle';
        ctx.font = `bold 13px ${FONT}`;
        ctx.fillText(fmt(v), right + 6, y);
      }
    }
    top = bottom + MARGIN.gap;
  }

  // The date axis under the last panel.
  ctx.fillStyle = theme.axis;
  ctx.font = `13px ${FONT}`;
  ctx.textBaseline = 'top';
  const axisY = (layout.at(-1)?.bottom ?? height - MARGIN.bottom) + 7;
  for (const t of ticks) {
    const w = ctx.measureText(t.label).width;
    const x = Math.min(right - w, Math.max(left, xOf(t.index) - w / 2));
    ctx.fillText(t.label, x, axisY);
  }
  return { png: canvas.toBuffer('image/png'), width, height, layout };
}

function line(ctx: SKRSContext2D, x1: number, y1: number, x2: number, y2: number): void {
  ctx.beginPath();
  ctx.moveTo(x1, y1);
  ctx.lineTo(x2, y2);
  ctx.stroke();
}
