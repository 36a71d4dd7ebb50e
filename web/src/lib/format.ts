/** m:ss for a duration in ms. */
export function clock(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

export function percent(score: number): string {
  return `${Math.round(Math.max(0, Math.min(100, score)))}%`;
}
