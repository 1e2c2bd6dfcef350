import { createCanvas } from '@napi-rs/canvas';
import { Chart, registerables, type ChartConfiguration, type Plugin } from 'chart.js';

Chart.register(...registerables);

export interface LineSeries {
  label: string;
  values: Array<number | null>;
  color: string;
  dashed?: boolean;
  width?: number;
}

export interface LineChartSpec {
  title: string;
  labels: string[];
  series: LineSeries[];
  width?: number;
  height?: number;
}

const background: Plugin<'line'> = {
  id: 'background',
  beforeDraw(chart) {
    const { ctx, width, height } = chart;
    ctx.save();
    ctx.fillStyle = '#ffffff';
    ctx.fillRect(0, 0, width, height);
    ctx.restore();
  },
};

/** A line chart as PNG bytes, drawn without a browser (Chart.js on @napi-rs/canvas). */
export function renderLineChart(spec: LineChartSpec): Buffer {
  const width = spec.width ?? 900;
  const height = spec.height ?? 450;
  const canvas = createCanvas(width, height);
  const config: ChartConfiguration<'line'> = {
    type: 'line',
    data: {
      labels: spec.labels,
      datasets: spec.series.map((s) => ({
        label: s.label,
        data: s.values,
        borderColor: s.color,
        backgroundColor: s.color,
        borderWidth: s.width ?? 1.5,
        borderDash: s.dashed ? [6, 4] : [],
        pointRadius: 0,
        spanGaps: false,
      })),
    },
    options: {
      animation: false,
      responsive: false,
      devicePixelRatio: 1,
      plugins: { title: { display: true, text: spec.title }, legend: { display: true, position: 'bottom' } },
      scales: { x: { ticks: { maxTicksLimit: 10, autoSkip: true, maxRotation: 0 } } },
    },
    plugins: [background],
  };
  // Chart.js expects a DOM canvas; @napi-rs/canvas implements the 2D context it draws with.
  const chart = new Chart(canvas as unknown as ConstructorParameters<typeof Chart>[0], config);
  const png = canvas.toBuffer('image/png');
  chart.destroy();
  return png;
}
