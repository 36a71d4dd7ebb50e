import { describe, expect, test } from 'vitest';
import { parseEnvelope, readSse, SseParser, type SseEvent } from './parser';

function parse(chunks: (string | Uint8Array)[]): SseEvent[] {
  const out: SseEvent[] = [];
  const p = new SseParser((e) => out.push(e));
  for (const c of chunks) p.push(c);
  return out;
}

const bytes = (s: string) => new TextEncoder().encode(s);

describe('SseParser', () => {
  const stream = 'event: track\ndata: {"id":"1"}\n\n: heartbeat\n\ndata: {"type":"content","data":"hé"}\n\n';

  test('named and data-only events, comments ignored', () => {
    expect(parse([stream])).toEqual([
      { event: 'track', data: '{"id":"1"}', id: '' },
      { event: 'message', data: '{"type":"content","data":"hé"}', id: '' },
    ]);
  });

  test('every split point gives the same events (the reference lost events split across reads)', () => {
    const whole = parse([stream]);
    const b = bytes(stream);
    for (let i = 1; i < b.length; i++) {
      expect(parse([b.slice(0, i), b.slice(i)])).toEqual(whole);
    }
  });

  test('byte-by-byte delivery, including inside a multi-byte character', () => {
    const b = bytes(stream);
    expect(parse([...b].map((x) => Uint8Array.of(x)))).toEqual(parse([stream]));
  });

  test('CRLF and CR line endings, also split between chunks', () => {
    expect(parse(['event: a\r', '\ndata: 1\r', '\n\r', '\n'])).toEqual([{ event: 'a', data: '1', id: '' }]);
    expect(parse(['event: b\rdata: 2\r\r'])).toEqual([{ event: 'b', data: '2', id: '' }]);
  });

  test('multi-line data is joined with newlines; one leading space is stripped', () => {
    expect(parse(['data:  two spaces\ndata:none\n\n'])).toEqual([{ event: 'message', data: ' two spaces\nnone', id: '' }]);
  });

  test('an event type without data dispatches nothing and does not leak into the next event', () => {
    expect(parse(['event: ghost\n\ndata: x\n\n'])).toEqual([{ event: 'message', data: 'x', id: '' }]);
  });

  test('an event cut off by the end of the stream is not dispatched', () => {
    expect(parse(['event: tick\ndata: {"p":1}\n'])).toEqual([]);
  });

  test('a heartbeat-only stream yields no events; a leading BOM is ignored', () => {
    expect(parse([': heartbeat\n\n: heartbeat\n\n'])).toEqual([]);
    expect(parse(['\ufeffdata: 1\n\n'])).toEqual([{ event: 'message', data: '1', id: '' }]);
  });

  test('id and unknown fields', () => {
    expect(parse(['id: 7\nretry: 100\nfoo: bar\ndata: x\n\n'])).toEqual([{ event: 'message', data: 'x', id: '7' }]);
  });
});

describe('readSse', () => {
  test('reads a body to its end and reports every arrival', async () => {
    const chunks = ['event: init\nda', 'ta: {}\n\n', ': heartbeat\n\n'];
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        for (const s of chunks) c.enqueue(bytes(s));
        c.close();
      },
    });
    const events: SseEvent[] = [];
    let arrivals = 0;
    await readSse(body, (e) => events.push(e), () => arrivals++);
    expect(events).toEqual([{ event: 'init', data: '{}', id: '' }]);
    expect(arrivals).toBe(3);
  });
});

describe('parseEnvelope', () => {
  const ev = (data: string): SseEvent => ({ event: 'message', data, id: '' });
  test('accepts {"type","data"} frames only', () => {
    expect(parseEnvelope(ev('{"type":"done","data":null}'))).toEqual({ type: 'done', data: null });
    expect(parseEnvelope(ev('{"type":"content"}'))).toEqual({ type: 'content', data: null });
    expect(parseEnvelope(ev('{"data":1}'))).toBeNull();
    expect(parseEnvelope(ev('not json'))).toBeNull();
    expect(parseEnvelope(ev('"string"'))).toBeNull();
  });
});
