import { describe, expect, test, vi } from 'vitest';
import { ApiClient, ApiError, describeError } from './client';

function client(respond: (req: Request) => Response | Promise<Response>, token: string | null = 'tok-123') {
  const seen: Request[] = [];
  const onUnauthorized = vi.fn();
  const api = new ApiClient({
    getToken: () => token,
    onUnauthorized,
    fetch: async (input, init) => {
      const req = new Request(new URL(String(input), 'http://dj.test'), init);
      seen.push(req);
      return respond(req);
    },
  });
  return { api, seen, onUnauthorized };
}

const problem = (status: number, body: object) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/problem+json' } });

describe('ApiClient', () => {
  test('sends the bearer token in the header and never in the URL', async () => {
    const { api, seen } = client(() => Response.json({ ok: true }));
    await api.request('POST', '/api/mix/queue/reorder', { body: { from: 0, to: 2 } });
    const req = seen[0]!;
    expect(req.headers.get('Authorization')).toBe('Bearer tok-123');
    expect(req.headers.get('Content-Type')).toBe('application/json');
    expect(req.url).not.toContain('tok-123');
    expect(await req.json()).toEqual({ from: 0, to: 2 });
  });

  test('unauthenticated calls carry no token', async () => {
    const { api, seen } = client(() => Response.json({ status: 'healthy' }));
    await api.request('GET', '/api/health', { auth: false });
    expect(seen[0]!.headers.has('Authorization')).toBe(false);
  });

  test('problem JSON becomes an ApiError with detail, field errors and request id', async () => {
    const { api } = client(() =>
      problem(400, {
        type: 'about:blank',
        title: 'Bad Request',
        status: 400,
        detail: 'from must be a whole number',
        errors: [{ location: 'body', field: 'from', message: 'must be ≥ 0' }],
        request_id: 'req-42',
      }),
    );
    const err = await api.request('PUT', '/api/mix/queue/reorder', { body: {} }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    const e = err as ApiError;
    expect([e.status, e.title, e.detail, e.requestId]).toEqual([400, 'Bad Request', 'from must be a whole number', 'req-42']);
    expect(e.errors).toEqual([{ location: 'body', field: 'from', message: 'must be ≥ 0' }]);
    expect(describeError(e)).toEqual({ message: 'from must be a whole number', requestId: 'req-42' });
  });

  test('a non-JSON error falls back to a plain message and the X-Request-ID header', async () => {
    const { api } = client(() => new Response('<html>oops</html>', { status: 502, headers: { 'X-Request-ID': 'h-1' } }));
    const e = (await api.request('GET', '/api/mix/current').catch((x: unknown) => x)) as ApiError;
    expect(e.status).toBe(502);
    expect(e.detail).toMatch(/server had a problem/);
    expect(e.requestId).toBe('h-1');
    expect(e.detail).not.toContain('oops');
  });

  test('401 ends the session once and says so', async () => {
    const { api, onUnauthorized } = client(() => problem(401, { title: 'Unauthorized', status: 401, detail: 'token expired' }));
    const e = (await api.request('GET', '/api/mix/current').catch((x: unknown) => x)) as ApiError;
    expect(e.status).toBe(401);
    expect(e.detail).toMatch(/session has ended/);
    expect(onUnauthorized).toHaveBeenCalledTimes(1);
  });

  test('401 on an unauthenticated call (e.g. a spent login code) does not end anything', async () => {
    const { api, onUnauthorized } = client(() => problem(401, { title: 'Unauthorized', status: 401, detail: 'code already used' }));
    const e = (await api.request('POST', '/api/auth/exchange', { body: { code: 'x' }, auth: false }).catch((x: unknown) => x)) as ApiError;
    expect(e.detail).toBe('code already used');
    expect(onUnauthorized).not.toHaveBeenCalled();
  });

  test('no token: refused locally without a request', async () => {
    const { api, seen } = client(() => Response.json({}), null);
    await expect(api.request('GET', '/api/mix/current')).rejects.toMatchObject({ status: 401 });
    expect(seen).toHaveLength(0);
  });

  test('network failure is status 0 with a readable message; aborts pass through', async () => {
    const { api } = client(() => {
      throw new TypeError('Failed to fetch');
    });
    const e = (await api.request('GET', '/api/mix/current').catch((x: unknown) => x)) as ApiError;
    expect(e.isNetwork).toBe(true);
    expect(e.detail).toMatch(/reach the DJ server/);

    const aborting = client(() => {
      throw new DOMException('aborted', 'AbortError');
    });
    await expect(aborting.api.request('GET', '/x')).rejects.toMatchObject({ name: 'AbortError' });
  });

  test('the reference app’s {"error": …} body is still understood', async () => {
    const { api } = client(() => Response.json({ error: 'No active session' }, { status: 404 }));
    await expect(api.request('GET', '/api/mix/queue')).rejects.toMatchObject({ status: 404, detail: 'No active session' });
  });

  test('204 and empty bodies resolve to undefined', async () => {
    const { api } = client(() => new Response(null, { status: 204 }));
    await expect(api.request('POST', '/api/player/next')).resolves.toBeUndefined();
  });
});
