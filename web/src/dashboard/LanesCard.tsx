import { LineChart } from '../chart/LineChart';
import type { Chart, LaneRow } from './model';

// Each upstream lane: permits in flight against its cap, calls queued for
// a permit, breaker state and request rate; below, in flight over time.

export function LanesCard({ lanes, chart }: { lanes: readonly LaneRow[]; chart: Chart }) {
  return (
    <section className="card dash-card" aria-label="Lanes">
      <div className="card-head">
        <h2>Lanes</h2>
      </div>
      <ul className="lane-list">
        {lanes.map((l) => (
          <li key={l.lane} className={`lane-row tone-${l.tone}`} data-lane={l.lane}>
            <span className="lane-name">{l.lane}</span>
            <span
              className={`meter tone-${l.tone}`}
              role="meter"
              aria-label={`${l.lane} permits in flight`}
              aria-valuemin={0}
              aria-valuemax={l.cap}
              aria-valuenow={l.inFlight}
            >
              <span style={{ width: `${Math.round(l.use * 100)}%` }} />
            </span>
            <span className="lane-figures">
              {l.inFlight}/{l.cap} · {l.queued} queued · {l.rate}
            </span>
            <span className={`breaker breaker-${l.breaker}`}>{l.breaker}</span>
          </li>
        ))}
      </ul>
      <LineChart
        title="Lane permits in flight"
        series={chart.series}
        max={chart.max}
        format={chart.format}
        integer={chart.integer}
      />
    </section>
  );
}
