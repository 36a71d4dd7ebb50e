// Number formatting for the dashboard: short, unit-bearing, and "—" for
// a figure the server does not know yet (null), never a made-up zero.

export const DASH = '—';

/** Events per second: 0/s, 0.4/s, 12/s, 1.2k/s. */
export function formatRate(v: number): string {
  if (!Number.isFinite(v) || v <= 0) return '0/s';
  if (v < 10) return `${trim(v.toFixed(1))}/s`;
  if (v < 1000) return `${Math.round(v)}/s`;
  return `${trim((v / 1000).toFixed(1))}k/s`;
}

/** A duration given in seconds: 3 µs, 1.2 ms, 250 ms, 1.5 s. */
export function formatSeconds(v: number | null): string {
  if (v === null || !Number.isFinite(v) || v < 0) return DASH;
  if (v === 0) return '0';
  if (v < 1e-3) return `${short(v * 1e6)} µs`;
  if (v < 1) return `${short(v * 1e3)} ms`;
  return `${short(v)} s`;
}

/** Whole above 10, one decimal below: 250, 42, 4.2. */
const short = (n: number): string => (n >= 9.95 ? String(Math.round(n)) : trim(n.toFixed(1)));

/** Bytes in binary units: 0 B, 900 B, 12 KiB, 3.4 MiB. */
export function formatBytes(v: number): string {
  if (!Number.isFinite(v) || v <= 0) return '0 B';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  let n = v;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return `${i === 0 || n >= 10 ? Math.round(n) : trim(n.toFixed(1))} ${units[i]}`;
}

/** A ratio 0–1 as a whole percentage, or "—". */
export function formatRatio(v: number | null): string {
  if (v === null || !Number.isFinite(v)) return DASH;
  return `${Math.round(Math.max(0, Math.min(1, v)) * 100)}%`;
}

/** Counts: 12, 1,234. */
export function formatCount(v: number): string {
  return Math.round(v).toLocaleString('en-US');
}

const trim = (s: string): string => (s.includes('.') && !s.includes('e') ? s.replace(/\.?0+$/, '') : s);
