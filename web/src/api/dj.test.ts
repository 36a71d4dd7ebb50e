import { describe, expect, test } from 'vitest';
import { ApiClient } from './client';
import { djApi } from './dj';

// Request bodies as djd's schemas want them (docs/api.md).

function api() {
  const seen: Request[] = [];
  const client = new ApiClient({
    getToken: () => 'tok',
    onUnauthorized: () => undefined,
    fetch: async (input, init) => {
      seen.push(new Request(new URL(String(input), 'http://dj.test'), init));
      return Response.json({ session: null });
    },
  });
  return { dj: djApi(client), seen };
}

describe('djApi', () => {
  test('starting a mix always replaces the one going (restart), with or without a seed', async () => {
    const { dj, seen } = api();
    await dj.startMix('XpSoExghmCcXVJNyIrSF3S');
    await dj.startMix(null);
    expect(seen.map((r) => `${r.method} ${new URL(r.url).pathname}`)).toEqual(['POST /api/mix/start', 'POST /api/mix/start']);
    expect(await seen[0]?.json()).toEqual({ seedPlaylistId: 'XpSoExghmCcXVJNyIrSF3S', restart: true });
    expect(await seen[1]?.json()).toEqual({ restart: true });
  });

  test('save leaves out an empty description; chat asks for the live-DJ mode', async () => {
    const { dj, seen } = api();
    await dj.saveMix('My mix', '', true);
    await dj.chat('hi', [], () => undefined, new AbortController().signal);
    expect(await seen[0]?.json()).toEqual({ name: 'My mix', includeQueue: true });
    expect(await seen[1]?.json()).toEqual({ message: 'hi', conversationHistory: [], mode: 'dj' });
  });
});
