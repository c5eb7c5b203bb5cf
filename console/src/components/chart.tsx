// A uPlot time-series chart that follows its container's width. The last and highest values of
// the first series are also data attributes, for tests and for anyone reading the DOM.
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';

export interface SeriesSpec {
  label: string;
  color: string;
}

const PALETTE = ['#2563eb', '#16a34a', '#dc2626', '#9333ea', '#ea580c', '#0891b2', '#4b5563'];

export function color(index: number): string {
  return PALETTE[index % PALETTE.length];
}

export function Chart(props: {
  title: string;
  testId: string;
  series: SeriesSpec[];
  data: (number | null)[][];
  format: (value: number | null) => string;
}) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  // A new set of series (a status code appears) needs a new chart.
  const shape = props.series.map((s) => s.label).join('|');

  useEffect(() => {
    const element = box.current!;
    const options: uPlot.Options = {
      width: Math.max(element.clientWidth, 200),
      height: 180,
      legend: { live: false },
      cursor: { drag: { x: false, y: false } },
      scales: {
        x: { time: true },
        // From zero, so that a rise reads as one; an all-zero chart still gets a scale.
        y: { range: (_u, min, max) => [Math.min(0, min), max > 0 ? max * 1.1 : 1] },
      },
      axes: [{}, { values: (_u, values) => values.map((v) => props.format(v)), size: 70 }],
      series: [
        {},
        ...props.series.map((s) => ({
          label: s.label,
          stroke: s.color,
          width: 2,
          value: (_u: uPlot, v: number | null) => props.format(v),
        })),
      ],
    };
    plot.current = new uPlot(options, props.data as uPlot.AlignedData, element);
    const resize = new ResizeObserver(() => {
      plot.current?.setSize({ width: Math.max(element.clientWidth, 200), height: 180 });
    });
    resize.observe(element);
    return () => {
      resize.disconnect();
      plot.current?.destroy();
      plot.current = null;
    };
  }, [shape]);

  useEffect(() => {
    plot.current?.setData(props.data as uPlot.AlignedData);
  }, [props.data]);

  const first = props.data[1] ?? [];
  const values = first.filter((v): v is number => v !== null);
  const last = values.length > 0 ? values[values.length - 1] : null;
  const peak = values.length > 0 ? Math.max(...values) : null;
  return (
    <figure
      class="chart"
      data-testid={props.testId}
      data-last={last ?? ''}
      data-peak={peak ?? ''}
    >
      <figcaption>
        {props.title}
        <span class="now">{props.format(last)}</span>
      </figcaption>
      <div ref={box} role="img" aria-label={`${props.title}: now ${props.format(last)}`} />
    </figure>
  );
}
