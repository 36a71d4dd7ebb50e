import type { Tile } from './model';

// The headline figures, one tile each, coloured by how they stand.

export function Tiles({ tiles }: { tiles: readonly Tile[] }) {
  return (
    <ul className="dash-tiles" aria-label="Headline figures">
      {tiles.map((t) => (
        <li key={t.id} className={`dash-tile tone-${t.tone}`} data-tile={t.id}>
          <span className="dash-tile-label">{t.label}</span>
          <span className="dash-tile-value">{t.value}</span>
          <span className="dash-tile-detail">{t.detail}</span>
        </li>
      ))}
    </ul>
  );
}
