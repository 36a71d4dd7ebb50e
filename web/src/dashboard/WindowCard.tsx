import { LineChart } from '../chart/LineChart';
import type { DashboardView } from './model';

// The global upstream rate: starts in the last second against the limit
// of 40, as a gauge and over the last two minutes.

export function WindowCard({ window: w }: { window: DashboardView['window'] }) {
  return (
    <section className="card dash-card" aria-label="Upstream window">
      <div className="card-head">
        <h2>Upstream window</h2>
        <span className={`dash-big tone-${w.tone}`} data-testid="window-used">
          {w.used}
          <span className="muted"> / {w.limit}</span>
        </span>
      </div>
      <div
        className={`meter tone-${w.tone}`}
        role="meter"
        aria-label="Requests started in the last second"
        aria-valuemin={0}
        aria-valuemax={w.limit}
        aria-valuenow={w.used}
      >
        <span style={{ width: `${Math.round(w.ratio * 100)}%` }} />
      </div>
      <p className="muted small">
        Requests started in the last second, all lanes · {w.queued} waiting for a start
      </p>
      <LineChart
        title="Upstream window"
        series={w.chart.series}
        max={w.chart.max}
        format={w.chart.format}
        integer={w.chart.integer}
        limit={w.chart.limit}
      />
    </section>
  );
}
