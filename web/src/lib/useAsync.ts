import { useCallback, useEffect, useRef, useState } from 'react';
import { describeError } from '../api/client';

export type Async<T> =
  | { phase: 'loading' }
  | { phase: 'ready'; value: T }
  | { phase: 'error'; message: string; requestId?: string };

/** Runs `load` (the first one given) on mount and on retry, aborting it on unmount. */
export function useAsync<T>(load: (signal: AbortSignal) => Promise<T>): [Async<T>, () => void] {
  const [state, setState] = useState<Async<T>>({ phase: 'loading' });
  const [attempt, setAttempt] = useState(0);
  const loader = useRef(load);
  useEffect(() => {
    const ctl = new AbortController();
    setState({ phase: 'loading' });
    loader.current(ctl.signal).then(
      (value) => {
        if (!ctl.signal.aborted) setState({ phase: 'ready', value });
      },
      (err: unknown) => {
        if (!ctl.signal.aborted) setState({ phase: 'error', ...describeError(err) });
      },
    );
    return () => ctl.abort();
  }, [attempt]);
  const retry = useCallback(() => setAttempt((a) => a + 1), []);
  return [state, retry];
}
