import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

/** One series of a range query: its label text and its [unix seconds, value] points. */
export interface ChartSeries {
  label: string;
  points: Array<[number, number]>;
}

const COLOURS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2'];

/** A uPlot line chart of range-query series, sized to its container. */
export function TimeSeriesChart(props: { series: ChartSeries[]; title: string; stacked: boolean }) {
  const { series, title, stacked } = props;
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    // uPlot wants one shared x axis: every timestamp of every series, gaps as null.
    const times = [...new Set(series.flatMap((s) => s.points.map((p) => p[0])))].sort(
      (a, b) => a - b,
    );
    const index = new Map(times.map((t, i) => [t, i]));
    const columns = series.map((s) => {
      const column: Array<number | null> = new Array<number | null>(times.length).fill(null);
      for (const [t, v] of s.points) column[index.get(t) ?? 0] = v;
      return column;
    });
    // Stacked: each line is the running sum of the series above it; a gap counts as 0 there.
    if (stacked)
      for (let c = 1; c < columns.length; c++)
        columns[c] = columns[c].map((v, i) => (v === null ? null : v + (columns[c - 1][i] ?? 0)));
    const width = Math.max(280, el.clientWidth);
    const plot = new uPlot(
      {
        title,
        width,
        height: 300,
        series: [
          {},
          ...series.map((s, i) => ({
            label: s.label,
            stroke: COLOURS[i % COLOURS.length],
            width: 1.5,
          })),
        ],
        axes: [{}, { size: 70 }],
      },
      [times, ...columns] as uPlot.AlignedData,
      el,
    );
    const resize = () => plot.setSize({ width: Math.max(280, el.clientWidth), height: 300 });
    window.addEventListener('resize', resize);
    return () => {
      window.removeEventListener('resize', resize);
      plot.destroy();
    };
  }, [series, title, stacked]);
  return (
    <figure class="chart">
      <div
        ref={box}
        data-series-count={series.length}
        role="img"
        aria-label={`${title}: ${series.length} series`}
      />
    </figure>
  );
}
