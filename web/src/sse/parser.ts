// An incremental Server-Sent Events parser following the WHATWG rules:
// any line ending (CRLF, LF, CR — also split across chunks), comments,
// multi-line data, named and unnamed events. Chunk boundaries never lose
// or merge events (the reference app dropped events split across reads).

export interface SseEvent {
  /** The `event:` field, or "message" when absent. */
  event: string;
  data: string;
  id: string;
}

export class SseParser {
  private readonly onEvent: (e: SseEvent) => void;
  private readonly decoder = new TextDecoder('utf-8');
  private buffer = '';
  private afterCR = false;
  private started = false;
  private eventType = '';
  private data: string[] = [];
  private lastId = '';

  constructor(onEvent: (e: SseEvent) => void) {
    this.onEvent = onEvent;
  }

  /** Feeds bytes (or already decoded text) as they arrive. */
  push(chunk: Uint8Array | string): void {
    let text = typeof chunk === 'string' ? chunk : this.decoder.decode(chunk, { stream: true });
    if (text === '') return; // e.g. half of a multi-byte character
    if (!this.started) {
      this.started = true;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    if (this.afterCR && text.startsWith('\n')) text = text.slice(1);
    this.afterCR = false;
    this.buffer += text;
    let start = 0;
    for (let i = 0; i < this.buffer.length; i++) {
      const c = this.buffer.charCodeAt(i);
      if (c !== 10 && c !== 13) continue;
      this.line(this.buffer.slice(start, i));
      if (c === 13) {
        if (i + 1 === this.buffer.length) this.afterCR = true;
        else if (this.buffer.charCodeAt(i + 1) === 10) i++;
      }
      start = i + 1;
    }
    this.buffer = this.buffer.slice(start);
  }

  private line(line: string): void {
    if (line === '') {
      this.dispatch();
      return;
    }
    if (line.startsWith(':')) return; // comment, e.g. ": heartbeat"
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    switch (field) {
      case 'event':
        this.eventType = value;
        break;
      case 'data':
        this.data.push(value);
        break;
      case 'id':
        if (!value.includes('\0')) this.lastId = value;
        break;
      default:
        break; // "retry" and unknown fields: the app decides its own backoff
    }
  }

  private dispatch(): void {
    const type = this.eventType;
    const data = this.data;
    this.eventType = '';
    this.data = [];
    if (data.length === 0) return;
    this.onEvent({ event: type === '' ? 'message' : type, data: data.join('\n'), id: this.lastId });
  }
}

/**
 * Reads an SSE response body to its end, calling onEvent per event and
 * onBytes whenever anything (heartbeats included) arrives.
 */
export async function readSse(
  body: ReadableStream<Uint8Array>,
  onEvent: (e: SseEvent) => void,
  onBytes?: () => void,
): Promise<void> {
  const parser = new SseParser(onEvent);
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      onBytes?.();
      parser.push(value);
    }
  } finally {
    reader.releaseLock();
  }
}

/** A `{"type", "data"}` frame of the chat and steer streams. */
export interface Envelope {
  type: string;
  data: unknown;
}

/** Parses a data-only frame into its envelope; null when it is not one. */
export function parseEnvelope(e: SseEvent): Envelope | null {
  let v: unknown;
  try {
    v = JSON.parse(e.data);
  } catch {
    return null;
  }
  if (typeof v !== 'object' || v === null) return null;
  const o = v as Record<string, unknown>;
  if (typeof o.type !== 'string') return null;
  return { type: o.type, data: o.data ?? null };
}
