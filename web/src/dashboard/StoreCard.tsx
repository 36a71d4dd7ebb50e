import type { StoreRow } from './model';

// Each store namespace: hit rate since start (negative entries count as
// hits: they answer without an upstream call), reads now, size on disk.

export function StoreCard({ rows }: { rows: readonly StoreRow[] }) {
  return (
    <section className="card dash-card" aria-label="Store">
      <div className="card-head">
        <h2>Store</h2>
      </div>
      <ul className="store-list">
        {rows.map((r) => (
          <li key={r.ns} data-ns={r.ns}>
            <div className="store-head">
              <span className="store-name">{r.ns}</span>
              <span className="store-rate">{r.hitRate} hits</span>
            </div>
            <div
              className="meter tone-ok"
              role="meter"
              aria-label={`${r.ns} hit rate`}
              aria-valuemin={0}
              aria-valuemax={100}
              aria-valuenow={r.hitRatio === null ? 0 : Math.round(r.hitRatio * 100)}
            >
              <span style={{ width: `${r.hitRatio === null ? 0 : Math.round(r.hitRatio * 100)}%` }} />
            </div>
            <p className="muted small">
              {r.reads} · {r.size} · {r.detail}
            </p>
          </li>
        ))}
      </ul>
    </section>
  );
}
