import { useState, type CSSProperties } from 'react';

// Album or playlist art, with a generated cover when there is none or the
// image does not load (offline, or the simulator's made-up image URLs).

export function Art({ src, label, size }: { src: string | null | undefined; label: string; size: 'sm' | 'md' | 'lg' }) {
  const [failed, setFailed] = useState<string | null>(null);
  if (src && failed !== src) {
    return (
      <img
        className={`art art-${size}`}
        src={src}
        alt=""
        loading="lazy"
        decoding="async"
        onError={() => setFailed(src)}
      />
    );
  }
  const hue = [...label].reduce((h, c) => (h * 31 + c.charCodeAt(0)) % 360, 7);
  return (
    <span className={`art art-${size} art-fallback`} style={{ '--hue': hue } as CSSProperties} aria-hidden="true">
      {label.slice(0, 1).toUpperCase()}
    </span>
  );
}
