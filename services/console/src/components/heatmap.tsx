import { HeatmapChart } from 'echarts/charts';
import { AriaComponent, GridComponent, TooltipComponent, VisualMapComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';
import { useEffect, useRef } from 'react';

// SVG renderer and tree-shaken parts: ECharts sets styles through the CSSOM (allowed by style-src 'self'), and the
// options below avoid what it would write as inline markup (HTML tooltips, CSS animation <style> elements).
echarts.use([HeatmapChart, GridComponent, VisualMapComponent, TooltipComponent, AriaComponent, SVGRenderer]);

export const CELL_STATES = ['covered', 'no run that day', 'gap', 'failed run'] as const;
const COLOURS = ['#2e7d32', '#c9d1d9', '#f0a020', '#c62828'];

export interface HeatmapProps {
  /** Row labels (kinds), top to bottom. */
  rows: string[];
  /** Column labels (days). */
  columns: string[];
  /** [columnIndex, rowIndex, stateIndex] */
  cells: [number, number, number][];
  label: string;
}

/** Days x kinds, one colour per state; the same facts are in the table beside it for people who do not see it. */
export function Heatmap({ rows, columns, cells, label }: HeatmapProps) {
  const element = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!element.current) return;
    const chart = echarts.init(element.current, null, { renderer: 'svg' });
    chart.setOption({
      animation: false,
      aria: { enabled: true, label: { description: label } },
      tooltip: {
        renderMode: 'richText',
        formatter: (p: { value: [number, number, number] }) =>
          `${rows[p.value[1]]}\n${columns[p.value[0]]}: ${CELL_STATES[p.value[2]]}`,
      },
      grid: { left: 230, right: 20, top: 10, bottom: 70 },
      xAxis: { type: 'category', data: columns, splitArea: { show: false } },
      yAxis: { type: 'category', data: rows, inverse: true },
      visualMap: {
        type: 'piecewise',
        dimension: 2,
        orient: 'horizontal',
        left: 'center',
        bottom: 0,
        pieces: CELL_STATES.map((state, index) => ({ value: index, label: state, color: COLOURS[index] })),
      },
      series: [{ type: 'heatmap', data: cells, progressive: 0 }],
    });
    const resize = () => chart.resize();
    globalThis.addEventListener('resize', resize);
    return () => {
      globalThis.removeEventListener('resize', resize);
      chart.dispose();
    };
  }, [rows, columns, cells, label]);
  return <div ref={element} className="heatmap" role="img" aria-label={label} />;
}
