import type { ControlTestResult } from './test-control.js';

/**
 * The coverage picture of a bundle: days (weeks past 400 days) across, register controls down, each cell coloured by
 * what the control shows there: operated, exceptions, no evidence in an expected period, a day whose collection
 * failed, or nothing expected. Rendered at export time by ECharts' server-side SVG renderer, so the bundle's
 * README shows it offline with no script. ECharts is loaded here, when a picture is drawn, not when the package is,
 * and from its one-file minified ES build: its package entry is a graph of some thousand modules, which took an
 * export about a second to load (several under load) and added about 95 MB to the process; the one file loads in a
 * fraction of that and adds about 20 MB (same version, same renderer, same picture; its types: echarts-bundle.d.ts).
 */
const STATES = [
  { label: 'nothing expected', color: '#eeeeee' },
  { label: 'operated', color: '#3a9b3a' },
  { label: 'exceptions', color: '#e0a100' },
  { label: 'no evidence (gap)', color: '#c62828' },
  { label: 'collection failed', color: '#5e2b97' },
] as const;

const DAY_MS = 86_400_000;

export async function coverageSvg(
  results: readonly ControlTestResult[],
  window: { from: string; to: string },
): Promise<string> {
  const echarts = await import('echarts/dist/echarts.esm.min');
  const start = Date.parse(window.from);
  const end = Math.min(
    Date.parse(window.to),
    ...results.map((r) => Date.parse(r.evaluatedUntil)),
    Date.parse(window.to),
  );
  const days = Math.max(1, Math.ceil((end - start) / DAY_MS));
  const step = days > 400 ? 7 : 1;
  const columns: { label: string; from: number; to: number }[] = [];
  for (let t = start; t < end; t += step * DAY_MS) {
    columns.push({
      label: new Date(t).toISOString().slice(0, 10),
      from: t,
      to: Math.min(t + step * DAY_MS, end),
    });
  }
  const data: [number, number, number][] = [];
  results.forEach((result, row) => {
    const failed = new Set(result.ipe.runs.flatMap((r) => r.failedDays));
    const byDayItems = new Map(result.days.map((d) => [d.day, { fail: d.failed > 0 }]));
    columns.forEach((column, x) => {
      let state = 0;
      if (result.control.frequency === 'event') {
        for (let t = column.from; t < column.to; t += DAY_MS) {
          const seen = byDayItems.get(new Date(t).toISOString().slice(0, 10));
          if (seen) state = Math.max(state, seen.fail ? 2 : 1);
        }
      } else {
        for (const period of result.operation) {
          if (Date.parse(period.end) <= column.from || Date.parse(period.start) >= column.to) continue;
          state = Math.max(state, period.status === 'gap' ? 3 : period.status === 'exceptions' ? 2 : 1);
        }
      }
      for (let t = column.from; t < column.to; t += DAY_MS) {
        if (failed.has(new Date(t).toISOString().slice(0, 10)) && (state === 0 || state === 3)) state = 4;
      }
      data.push([x, row, state]);
    });
  });
  const height = 90 + results.length * 22;
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width: 1100, height });
  chart.setOption({
    animation: false,
    grid: { left: 80, right: 20, top: 40, bottom: 40 },
    xAxis: {
      type: 'category',
      data: columns.map((c) => c.label),
      axisLabel: { fontSize: 10 },
      splitArea: { show: false },
    },
    yAxis: {
      type: 'category',
      data: results.map((r) => r.control.id),
      inverse: true,
      axisLabel: { fontSize: 11 },
    },
    visualMap: {
      type: 'piecewise',
      dimension: 2,
      orient: 'horizontal',
      top: 5,
      left: 'center',
      itemWidth: 12,
      itemHeight: 12,
      pieces: STATES.map((s, value) => ({ value, label: s.label, color: s.color })),
    },
    series: [
      {
        type: 'heatmap',
        data,
        itemStyle: { borderColor: '#ffffff', borderWidth: step === 1 && columns.length > 120 ? 0 : 1 },
      },
    ],
  });
  const svg = chart.renderToSVGString();
  chart.dispose();
  return svg;
}
