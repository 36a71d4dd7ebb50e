import { linePath, linearScale, niceTicks } from './scale';

// A compact multi-series line chart over fixed time slots (the newest at
// the right edge), drawn with the same scales and paths as the energy
// chart. Series colours come from the stylesheet (.series-0 … .series-5);
// the legend carries each series' latest value, and a text summary stands
// in for the picture for screen readers.

export interface LineSeries {
  key: string;
  values: readonly (number | null)[];
  latest: number | null;
}

interface Props {
  title: string;
  series: readonly LineSeries[];
  max: number;
  format: (v: number) => string;
  /** Whole-number axis (counts). */
  integer?: boolean | undefined;
  limit?: { value: number; label: string } | undefined;
  empty?: string | undefined;
}

const W = 360;
const H = 132;
const PAD = { top: 8, right: 8, bottom: 6, left: 34 };

export function LineChart({ title, series, max, format, integer = false, limit, empty = 'No data yet.' }: Props) {
  const slots = Math.max(2, ...series.map((s) => s.values.length));
  const ticks = niceTicks(0, max, 3).filter((t) => !integer || Number.isInteger(t));
  const top = Math.max(max, ticks[ticks.length - 1] ?? max);
  const x = linearScale([0, slots - 1], [PAD.left, W - PAD.right]);
  const y = linearScale([0, top], [H - PAD.bottom, PAD.top]);
  const latest = (s: LineSeries): string => (s.latest === null ? '—' : format(s.latest));
  const summary =
    series.length === 0 ? `${title}: ${empty}` : `${title}: ${series.map((s) => `${s.key} ${latest(s)}`).join(', ')}.`;
  return (
    <figure className="line-chart">
      <svg viewBox={`0 0 ${W} ${H}`} className="line-chart-svg" role="img" aria-label={summary} preserveAspectRatio="none">
        {ticks.map((t) => (
          <g key={t} className="tick">
            <line x1={PAD.left} x2={W - PAD.right} y1={y(t)} y2={y(t)} />
            <text x={PAD.left - 5} y={y(t)} textAnchor="end" dominantBaseline="middle">
              {format(t)}
            </text>
          </g>
        ))}
        {limit && <line className="limit" x1={PAD.left} x2={W - PAD.right} y1={y(limit.value)} y2={y(limit.value)} />}
        {series.map((s, i) => (
          <path key={s.key} className={`series series-${i % 6}`} d={linePath(s.values, x, y)} />
        ))}
      </svg>
      <figcaption>
        {series.length === 0 ? (
          <span className="muted small">{empty}</span>
        ) : (
          <ul className="chart-legend">
            {series.map((s, i) => (
              <li key={s.key} className={`series-${i % 6}`}>
                <span className="legend-key">{s.key}</span> <span className="legend-value">{latest(s)}</span>
              </li>
            ))}
            {limit && <li className="legend-limit">{limit.label}</li>}
          </ul>
        )}
      </figcaption>
    </figure>
  );
}
