// ECharts' one-file minified ES build (coverage-svg.ts loads it) ships no types of its own: it is the package entry
// built into one file, so it has the entry's.
declare module 'echarts/dist/echarts.esm.min' {
  export * from 'echarts';
}
