import { createCanvas } from '@napi-rs/canvas';
import { Chart, registerables, type ChartConfiguration, type Plugin } from 'chart.js';

Chart.register(...registerables);

const background: Plugin<'bar'> = {
  id: 'background',
  beforeDraw(chart) {
    chart.ctx.save();
    chart.ctx.fillStyle = '#ffffff';
    chart.ctx.fillRect(0, 0, chart.width, chart.height);
    chart.ctx.restore();
  },
};

/** A horizontal bar chart of signed values (green above zero, red below) as PNG bytes. */
export function renderBarChart(spec: { title: string; bars: Array<{ label: string; value: number }>; width?: number; height?: number }): Buffer {
  const canvas = createCanvas(spec.width ?? 640, spec.height ?? 80 + 36 * spec.bars.length);
  const config: ChartConfiguration<'bar'> = {
    type: 'bar',
    data: {
      labels: spec.bars.map((b) => b.label),
      datasets: [{ data: spec.bars.map((b) => b.value), backgroundColor: spec.bars.map((b) => (b.value >= 0 ? '#16a34a' : '#dc2626')) }],
    },
    options: {
      indexAxis: 'y', animation: false, responsive: false, devicePixelRatio: 1,
      plugins: { title: { display: true, text: spec.title }, legend: { display: false } },
    },
    plugins: [background],
  };
  const chart = new Chart(canvas as unknown as ConstructorParameters<typeof Chart>[0], config);
  const png = canvas.toBuffer('image/png');
  chart.destroy();
  return png;
}
