import { useEffect, useState } from 'react';
import type { ApiClient } from '../api/client';
import { startFeed, type FeedStatus } from './feed';
import { pushFrame } from './series';
import type { Snapshot } from './types';

/** Runs the admin feed while there is a token; frames are the last two minutes. */
export function useFeed(client: ApiClient, token: string | null): { frames: Snapshot[]; status: FeedStatus } {
  const [frames, setFrames] = useState<Snapshot[]>([]);
  const [status, setStatus] = useState<FeedStatus>({ state: 'stopped' });
  useEffect(() => {
    setFrames([]);
    if (token === null) {
      setStatus({ state: 'stopped' });
      return;
    }
    const ctl = new AbortController();
    void startFeed(
      { client },
      { onSnapshot: (s) => setFrames((f) => pushFrame(f, s)), onStatus: setStatus },
      ctl.signal,
    );
    return () => ctl.abort();
  }, [client, token]);
  return { frames, status };
}
