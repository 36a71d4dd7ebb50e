import type { PlayedTrack, QueuedTrack, VibeProfile } from '../api/types';
import { bpmDomain, chartSeries, linePath, linearScale, niceTicks } from '../chart/scale';

// Energy and BPM across the mix: what played (left of "now") and what is
// queued (right), against the vibe's target BPM band and energy level.

const W = 640;
const H = 220;
const PAD = { top: 16, right: 44, bottom: 28, left: 36 };

interface Props {
  history: PlayedTrack[];
  queue: QueuedTrack[];
  vibe: VibeProfile | null;
}

export function EnergyChart({ history, queue, vibe }: Props) {
  const points = chartSeries(history, queue);
  const bpms = points.flatMap((p) => (p.bpm === null ? [] : [p.bpm]));
  const energies = points.map((p) => (p.energy === null ? null : p.energy * 10));
  const [b0, b1] = bpmDomain(bpms, vibe?.bpmRange ?? null);
  const n = Math.max(points.length, 2);
  const x = linearScale([0, n - 1], [PAD.left + 8, W - PAD.right - 8]);
  const yE = linearScale([0, 10], [H - PAD.bottom, PAD.top]);
  const yB = linearScale([b0, b1], [H - PAD.bottom, PAD.top]);
  const nowX = history.length > 0 && queue.length > 0 ? (x(history.length - 1) + x(history.length)) / 2 : null;
  const hasData = bpms.length > 0 || energies.some((e) => e !== null);
  const summary = hasData
    ? `Energy and BPM for ${history.length} played and ${queue.length} queued tracks.`
    : 'No BPM or energy data yet.';

  return (
    <section className="card chart" aria-labelledby="chart-title">
      <div className="card-head">
        <h2 id="chart-title">Energy &amp; BPM</h2>
        <ul className="legend" aria-hidden="true">
          <li className="legend-bpm">BPM</li>
          <li className="legend-energy">Energy</li>
          <li className="legend-band">Target BPM</li>
        </ul>
      </div>
      <svg viewBox={`0 0 ${W} ${H}`} className="chart-svg" role="img" aria-label={summary}>
        {vibe && (
          <rect
            className="band"
            x={PAD.left}
            width={W - PAD.left - PAD.right}
            y={yB(vibe.bpmRange.max)}
            height={Math.max(0, yB(vibe.bpmRange.min) - yB(vibe.bpmRange.max))}
          />
        )}
        {niceTicks(0, 10, 5).map((t) => (
          <g key={`e${t}`} className="tick">
            <line x1={PAD.left} x2={W - PAD.right} y1={yE(t)} y2={yE(t)} />
            <text x={PAD.left - 6} y={yE(t)} textAnchor="end" dominantBaseline="middle">
              {t}
            </text>
          </g>
        ))}
        {niceTicks(b0, b1, 4).map((t) => (
          <text key={`b${t}`} className="tick-bpm" x={W - PAD.right + 6} y={yB(t)} dominantBaseline="middle">
            {t}
          </text>
        ))}
        {vibe && (
          <line className="target-energy" x1={PAD.left} x2={W - PAD.right} y1={yE(vibe.energyLevel)} y2={yE(vibe.energyLevel)} />
        )}
        {nowX !== null && (
          <g className="now">
            <line x1={nowX} x2={nowX} y1={PAD.top} y2={H - PAD.bottom} />
            <text x={nowX} y={H - 8} textAnchor="middle">
              now
            </text>
          </g>
        )}
        <path className="line-bpm" d={linePath(points.map((p) => p.bpm), x, yB)} />
        <path className="line-energy" d={linePath(energies, x, yE)} />
        {points.map((p, i) =>
          p.energy === null ? null : (
            <circle key={`e${i}`} className={`dot-energy ${p.kind}`} cx={x(i)} cy={yE(p.energy * 10)} r={3.5}>
              <title>{`${p.label}: energy ${Math.round(p.energy * 100)}%`}</title>
            </circle>
          ),
        )}
        {points.map((p, i) =>
          p.bpm === null ? null : (
            <circle key={`b${i}`} className={`dot-bpm ${p.kind}`} cx={x(i)} cy={yB(p.bpm)} r={4}>
              <title>{`${p.label}: ${Math.round(p.bpm)} BPM`}</title>
            </circle>
          ),
        )}
      </svg>
      {!hasData && (
        <p className="empty">The curve fills in as the mix plays: tempo and energy are looked up for each track played.</p>
      )}
      <div className="sr-only">
        <table>
          <caption>Tracks in mix order</caption>
          <thead>
            <tr>
              <th scope="col">Track</th>
              <th scope="col">Status</th>
              <th scope="col">BPM</th>
              <th scope="col">Energy</th>
            </tr>
          </thead>
          <tbody>
            {points.map((p, i) => (
              <tr key={i}>
                <td>{p.label}</td>
                <td>{p.kind}</td>
                <td>{p.bpm === null ? 'unknown' : Math.round(p.bpm)}</td>
                <td>{p.energy === null ? 'unknown' : `${Math.round(p.energy * 100)}%`}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
