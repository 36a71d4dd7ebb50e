import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import type { VibeProfile } from '../api/types';
import type { SteerState } from '../mix/store';

// djd's own preset names (mix.Presets): they work even when no AI model
// answers, where other words are refused.
export const PRESETS = [
  'More energy',
  'Chill out',
  'Party mode',
  'Late night',
  '90s throwback',
  'Go retro',
  'Something fresh',
];

interface Props {
  state: SteerState;
  vibe: VibeProfile | null;
  onSteer(direction: string): void;
}

export function describeVibe(v: VibeProfile): string {
  const parts = [
    `Energy ${Math.round(v.energyLevel)}/10${v.energyDirection === 'steady' ? '' : v.energyDirection === 'building' ? ' ↗' : ' ↘'}`,
    `${Math.round(v.bpmRange.min)}–${Math.round(v.bpmRange.max)} BPM`,
    `${v.era.start}–${v.era.end}`,
  ];
  if (v.genres.length > 0) parts.push(v.genres.slice(0, 3).join(', '));
  if (v.mood.length > 0) parts.push(v.mood.slice(0, 2).join(', '));
  return parts.join(' · ');
}

export function SteerPanel({ state, vibe, onSteer }: Props) {
  const [text, setText] = useState('');
  const inputId = useId();
  const logRef = useRef<HTMLOListElement>(null);
  // The log scrolls; its newest line (the outcome) stays in view.
  useEffect(() => {
    const el = logRef.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [state.lines.length, state.running]);
  const submit = (e: FormEvent): void => {
    e.preventDefault();
    const d = text.trim();
    if (d === '' || state.running) return;
    onSteer(d);
    setText('');
  };
  const last = state.lines.at(-1);
  return (
    <section className="card steer" aria-labelledby="steer-title" aria-busy={state.running}>
      <div className="card-head">
        <h2 id="steer-title">Steer the vibe</h2>
        {vibe && <span className="vibe muted" data-testid="vibe">{describeVibe(vibe)}</span>}
      </div>
      <div className="presets" role="group" aria-label="Steering presets">
        {PRESETS.map((p) => (
          <button key={p} type="button" className="preset" disabled={state.running} onClick={() => onSteer(p)}>
            {p}
          </button>
        ))}
      </div>
      <form className="steer-form" onSubmit={submit}>
        <label htmlFor={inputId} className="sr-only">
          Steer in your own words
        </label>
        <input
          id={inputId}
          value={text}
          onChange={(e) => setText(e.target.value)}
          placeholder='Your words, e.g. "more acoustic guitar"'
          maxLength={500}
          disabled={state.running}
          autoComplete="off"
        />
        <button type="submit" className="primary-button" disabled={state.running || text.trim() === ''}>
          {state.running ? 'Steering…' : 'Steer'}
        </button>
      </form>
      {state.lines.length > 0 && (
        <ol className="steer-log" ref={logRef} aria-label="Steering progress" aria-live="polite">
          {state.lines.map((l, i) => (
            <li key={i} className={`steer-line steer-${l.kind}`}>
              {l.kind === 'you' ? `You: ${l.text}` : l.text}
            </li>
          ))}
          {state.running && last?.kind !== 'done' && <li className="steer-line steer-spinner" aria-hidden="true" />}
        </ol>
      )}
    </section>
  );
}
