import type { ReactNode } from 'react';
import { LineChart } from '../chart/LineChart';
import type { Chart } from './model';

// One titled card around a line chart, with room for a table below it.

interface Props {
  title: string;
  chart: Chart;
  empty?: string;
  children?: ReactNode;
}

export function ChartCard({ title, chart, empty, children }: Props) {
  return (
    <section className="card dash-card" aria-label={title}>
      <div className="card-head">
        <h2>{title}</h2>
      </div>
      <LineChart
        title={title}
        series={chart.series}
        max={chart.max}
        format={chart.format}
        integer={chart.integer}
        limit={chart.limit}
        empty={empty}
      />
      {children}
    </section>
  );
}
