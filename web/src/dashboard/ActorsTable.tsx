import type { ActorRow } from './model';

// Every actor kind: alive, mailbox depth, message rate and handling time
// over the last second, restarts since start.

export function ActorsTable({ rows }: { rows: readonly ActorRow[] }) {
  return (
    <section className="card dash-card dash-wide" aria-label="Actors by kind">
      <div className="card-head">
        <h2>Actors by kind</h2>
      </div>
      <div className="table-scroll">
        <table className="dash-table">
          <thead>
            <tr>
              <th scope="col">Kind</th>
              <th scope="col">Alive</th>
              <th scope="col">Mailbox</th>
              <th scope="col">Messages</th>
              <th scope="col">p50</th>
              <th scope="col">p99</th>
              <th scope="col">Restarts</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.kind} className={`tone-${r.tone}`} data-kind={r.kind}>
                <th scope="row">{r.kind}</th>
                <td>{r.alive}</td>
                <td>{r.mailbox}</td>
                <td>{r.rate}</td>
                <td>{r.p50}</td>
                <td>{r.p99}</td>
                <td>{r.restarts}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
