import { DOWN, FONT, niceTicks, startCanvas, UP, type Theme } from './panel-chart.js';

/**
 * A horizontal bar chart of signed values (green above zero, red below) as PNG bytes, in the panel charts'
 * theme: each bar labelled with its value, the zero line marked, labels never clipped.
 */
export function renderBarChart(spec: { title: string; subtitle?: string; bars: Array<{ label: string; value: number }>; width?: number; theme?: Theme; format?: (v: number) => string; axisFormat?: (v: number) => string }): Buffer {
  const width = spec.width ?? 900;
  const rowH = 44;
  const top = spec.subtitle ? 70 : 52;
  const height = top + rowH * spec.bars.length + 44;
  const { canvas, ctx, theme } = startCanvas(width, height, spec.theme, spec.title, spec.subtitle);
  ctx.font = `14px ${FONT}`;
  const labelW = Math.max(80, ...spec.bars.map((b) => ctx.measureText(b.label).width)) + 24;
  const left = 14 + labelW;
  const right = width - 70;
  const values = spec.bars.map((b) => b.value);
  const lo = Math.min(0, ...values);
  const hi = Math.max(0, ...values);
  const span = hi - lo || 1;
  const pad = span * 0.08;
  const [a, b] = [lo < 0 ? lo - pad : 0, hi > 0 ? hi + pad : 0];
  const xOf = (v: number) => left + ((v - a) / (b - a)) * (right - left);
  const bottom = top + rowH * spec.bars.length;
  ctx.textBaseline = 'top';
  for (const t of niceTicks(a, b, 6)) {
    const x = Math.round(xOf(t)) + 0.5;
    ctx.strokeStyle = theme.grid;
    ctx.beginPath();
    ctx.moveTo(x, top);
    ctx.lineTo(x, bottom);
    ctx.stroke();
    ctx.fillStyle = theme.axis;
    const label = Math.abs(t) < 1e-12 ? '0' : spec.axisFormat ? spec.axisFormat(t) : String(Number(t.toFixed(4)));
    ctx.fillText(label, x - ctx.measureText(label).width / 2, bottom + 8);
  }
  spec.bars.forEach((bar, i) => {
    const y = top + i * rowH;
    ctx.textBaseline = 'middle';
    ctx.fillStyle = theme.text;
    ctx.fillText(bar.label, left - 12 - ctx.measureText(bar.label).width, y + rowH / 2);
    const x0 = xOf(0);
    const x1 = xOf(bar.value);
    ctx.fillStyle = bar.value >= 0 ? UP : DOWN;
    ctx.fillRect(Math.min(x0, x1), y + 8, Math.max(1, Math.abs(x1 - x0)), rowH - 16);
    ctx.fillStyle = theme.text;
    const text = spec.format ? spec.format(bar.value) : `${bar.value >= 0 ? '+' : ''}${bar.value.toFixed(3)}`;
    const tw = ctx.measureText(text).width;
    // Beside the bar's end; inside it when beside would run into the labels or off the image.
    const outside = bar.value >= 0 ? x1 + 6 : x1 - 6 - tw;
    const fits = bar.value >= 0 ? outside + tw <= width - 4 : outside >= left;
    ctx.fillText(text, fits ? outside : bar.value >= 0 ? x1 - 6 - tw : x1 + 6, y + rowH / 2);
  });
  ctx.strokeStyle = theme.axis;
  ctx.beginPath();
  ctx.moveTo(Math.round(xOf(0)) + 0.5, top);
  ctx.lineTo(Math.round(xOf(0)) + 0.5, bottom);
  ctx.stroke();
  return canvas.toBuffer('image/png');
}
