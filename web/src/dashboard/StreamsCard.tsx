import { LineChart } from '../chart/LineChart';
import type { Chart, StreamRow } from './model';

// Open SSE streams by route, over time, with their event rate and the
// events dropped since start (slow or departed clients).

export function StreamsCard({ rows, chart }: { rows: readonly StreamRow[]; chart: Chart }) {
  return (
    <section className="card dash-card" aria-label="Open streams">
      <div className="card-head">
        <h2>Open streams</h2>
      </div>
      <LineChart
        title="Open streams"
        series={chart.series}
        max={chart.max}
        format={chart.format}
        integer={chart.integer}
        empty="No stream opened yet."
      />
      <div className="table-scroll">
        <table className="dash-table compact">
          <thead>
            <tr>
              <th scope="col">Stream</th>
              <th scope="col">Open</th>
              <th scope="col">Events</th>
              <th scope="col">Dropped</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.stream} className={`tone-${r.tone}`}>
                <th scope="row">{r.stream}</th>
                <td>{r.open}</td>
                <td>{r.rate}</td>
                <td>{r.dropped}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
