// The one way the SPA talks to djd: adds the bearer token, turns RFC 9457
// problem JSON (and network failures) into ApiError, and ends the session
// on 401. The token is only ever sent in the Authorization header.

export interface FieldError {
  location: string;
  field: string;
  message: string;
}

export class ApiError extends Error {
  readonly status: number;
  readonly title: string;
  readonly detail: string;
  readonly requestId: string | undefined;
  readonly errors: FieldError[];

  constructor(init: { status: number; title: string; detail: string; requestId?: string | undefined; errors?: FieldError[] }) {
    super(init.detail);
    this.name = 'ApiError';
    this.status = init.status;
    this.title = init.title;
    this.detail = init.detail;
    this.requestId = init.requestId;
    this.errors = init.errors ?? [];
  }

  /** True when the request never got an HTTP answer. */
  get isNetwork(): boolean {
    return this.status === 0;
  }
}

export interface RequestOptions {
  body?: unknown;
  signal?: AbortSignal | undefined;
  /** Send the session token (default true). */
  auth?: boolean;
  accept?: string;
}

export interface ApiClientDeps {
  getToken: () => string | null;
  /** Called once per 401 on an authenticated call: the session is over. */
  onUnauthorized: () => void;
  fetch?: typeof fetch;
}

const SESSION_OVER = 'Your session has ended. Please log in again.';
const UNREACHABLE = "Can't reach the DJ server. Check your connection and try again.";

export class ApiClient {
  private readonly deps: ApiClientDeps;

  constructor(deps: ApiClientDeps) {
    this.deps = deps;
  }

  async request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
    const res = await this.open(method, path, opts);
    if (res.status === 204) return undefined as T;
    const text = await res.text();
    if (text === '') return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new ApiError({
        status: res.status,
        title: 'Bad response',
        detail: 'The server sent a reply the app could not read.',
        requestId: res.headers.get('X-Request-ID') ?? undefined,
      });
    }
  }

  /** Sends the request and returns the response when it is 2xx (used for streams). */
  async open(method: string, path: string, opts: RequestOptions = {}): Promise<Response> {
    const headers = new Headers({ Accept: opts.accept ?? 'application/json' });
    const auth = opts.auth ?? true;
    if (auth) {
      const token = this.deps.getToken();
      if (token === null) throw new ApiError({ status: 401, title: 'Unauthorized', detail: SESSION_OVER });
      headers.set('Authorization', `Bearer ${token}`);
    }
    const init: RequestInit = { method, headers, signal: opts.signal ?? null, cache: 'no-store' };
    if (opts.body !== undefined) {
      headers.set('Content-Type', 'application/json');
      init.body = JSON.stringify(opts.body);
    }
    const doFetch = this.deps.fetch ?? globalThis.fetch.bind(globalThis);
    let res: Response;
    try {
      res = await doFetch(path, init);
    } catch (err) {
      if (err instanceof DOMException && err.name === 'AbortError') throw err;
      throw new ApiError({ status: 0, title: 'Network error', detail: UNREACHABLE });
    }
    if (res.ok) return res;
    const problem = await readProblem(res);
    if (res.status === 401 && auth) {
      this.deps.onUnauthorized();
      throw new ApiError({ ...problem, detail: SESSION_OVER });
    }
    throw new ApiError(problem);
  }
}

interface ProblemBody {
  title?: unknown;
  detail?: unknown;
  request_id?: unknown;
  errors?: unknown;
  error?: unknown;
}

async function readProblem(res: Response): Promise<ConstructorParameters<typeof ApiError>[0]> {
  const headerId = res.headers.get('X-Request-ID') ?? undefined;
  const fallback = {
    status: res.status,
    title: res.statusText || `HTTP ${res.status}`,
    detail: defaultDetail(res.status),
    requestId: headerId,
  };
  if (!(res.headers.get('Content-Type') ?? '').includes('json')) return fallback;
  let body: ProblemBody;
  try {
    body = (await res.json()) as ProblemBody;
  } catch {
    return fallback;
  }
  const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
  return {
    status: res.status,
    title: str(body.title) ?? fallback.title,
    // `error` is the reference app's shape; dj sends problem JSON with `detail`.
    detail: str(body.detail) ?? str(body.error) ?? fallback.detail,
    requestId: str(body.request_id) ?? headerId,
    errors: Array.isArray(body.errors) ? body.errors.filter(isFieldError) : [],
  };
}

function isFieldError(v: unknown): v is FieldError {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Record<string, unknown>;
  return typeof o.field === 'string' && typeof o.message === 'string' && typeof o.location === 'string';
}

function defaultDetail(status: number): string {
  if (status === 401) return SESSION_OVER;
  if (status === 404) return 'Not found.';
  if (status === 429) return 'Too many requests right now. Wait a moment and try again.';
  if (status >= 500) return 'The DJ server had a problem. Try again in a moment.';
  return 'The request was refused.';
}

/** A user-facing message for any thrown value. */
export function describeError(err: unknown): { message: string; requestId?: string } {
  if (err instanceof ApiError) return err.requestId ? { message: err.detail, requestId: err.requestId } : { message: err.detail };
  if (err instanceof Error && err.message !== '') return { message: err.message };
  return { message: 'Something went wrong.' };
}
