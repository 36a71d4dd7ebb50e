import { describe, expect, test, vi } from 'vitest';
import type { DjApi } from '../api/dj';
import type { Envelope } from '../sse/parser';
import { ChatStore, paragraphsOf, toolLabel, toolsOf } from './store';

/** A chat endpoint that plays back frames, optionally pausing after some. */
function chatApi(frames: Envelope[], opts: { throwAfter?: Error } = {}) {
  const calls: { message: string; history: unknown }[] = [];
  const api = {
    chat: async (message: string, history: unknown, on: (e: Envelope) => void) => {
      calls.push({ message, history });
      for (const f of frames) on(f);
      if (opts.throwAfter) throw opts.throwAfter;
    },
  } as unknown as DjApi;
  return { api, calls };
}

const hooks = () => ({ onToolsUsed: vi.fn(), onReply: vi.fn() });

describe('ChatStore', () => {
  test('content frames append token by token; tools show start and end; done completes', async () => {
    const seen: string[] = [];
    const { api } = chatApi([
      { type: 'log', data: { level: 'info', message: 'internal' } },
      { type: 'thinking', data: 'Analyzing your request...' },
      { type: 'content', data: 'Let me ' },
      { type: 'tool_start', data: { tool: 'search_spotify_tracks', args: { query: 'x' } } },
      { type: 'tool_end', data: { tool: 'search_spotify_tracks', result: 'Found 10 tracks' } },
      { type: 'content', data: 'queue that.' },
      { type: 'done', data: null },
    ]);
    const h = hooks();
    const chat = new ChatStore(api, h);
    chat.messages.subscribe(() => {
      const last = chat.messages.get().at(-1);
      if (last?.role === 'assistant') seen.push(last.text);
    });
    await chat.send('  play something  ');
    const [user, reply] = chat.messages.get();
    expect(user).toMatchObject({ role: 'user', text: 'play something' });
    expect(reply).toMatchObject({ role: 'assistant', text: 'Let me queue that.', status: 'done' });
    if (reply === undefined) throw new Error('no reply');
    // The tool call sits between the two text runs, as it streamed.
    expect(reply.parts).toEqual([
      { kind: 'text', text: 'Let me ' },
      { kind: 'tool', tool: 'search_spotify_tracks', done: true, result: 'Found 10 tracks' },
      { kind: 'text', text: 'queue that.' },
    ]);
    expect(toolsOf(reply)).toEqual([{ tool: 'search_spotify_tracks', done: true, result: 'Found 10 tracks' }]);
    expect(paragraphsOf(reply)).toEqual(['Let me', 'queue that.']);
    expect(reply.activity).toBeUndefined();
    expect(seen).toContain('Let me ');
    expect(h.onToolsUsed).toHaveBeenCalledTimes(1);
    expect(h.onReply).toHaveBeenCalledWith('Let me\nqueue that.');
    expect(chat.busy.get()).toBe(false);
  });

  test('history sent with the next message holds the finished turns', async () => {
    const { api, calls } = chatApi([
      { type: 'content', data: 'Hi!' },
      { type: 'done', data: null },
    ]);
    const chat = new ChatStore(api, hooks());
    await chat.send('hello');
    await chat.send('again');
    expect(calls[1]?.history).toEqual([
      { role: 'user', content: 'hello' },
      { role: 'assistant', content: 'Hi!' },
    ]);
  });

  test('an error frame marks the reply failed; a stream without done is marked incomplete', async () => {
    const failing = new ChatStore(chatApi([{ type: 'error', data: 'Claude API failed' }, { type: 'done', data: null }]).api, hooks());
    await failing.send('x');
    expect(failing.messages.get()[1]).toMatchObject({ status: 'error', error: 'Claude API failed' });

    const cut = new ChatStore(chatApi([{ type: 'content', data: 'Half' }]).api, hooks());
    await cut.send('x');
    expect(cut.messages.get()[1]).toMatchObject({ status: 'interrupted', text: 'Half' });
  });

  test('a failed tool is marked; a tool that never ends is closed by done', async () => {
    const { api } = chatApi([
      { type: 'tool_start', data: { tool: 'add_to_queue', args: {} } },
      { type: 'tool_end', data: { tool: 'add_to_queue', result: 'The queue is full', error: true } },
      { type: 'tool_start', data: { tool: 'get_queue', args: {} } },
      { type: 'done', data: null },
    ]);
    const chat = new ChatStore(api, hooks());
    await chat.send('x');
    const reply = chat.messages.get()[1];
    if (reply === undefined) throw new Error('no reply');
    expect(toolsOf(reply)).toEqual([
      { tool: 'add_to_queue', done: true, result: 'The queue is full', failed: true },
      { tool: 'get_queue', done: true },
    ]);
  });

  test("the server's {code, message} error frame, without done, keeps its message", async () => {
    const cut = new ChatStore(
      chatApi([
        { type: 'content', data: 'Half' },
        { type: 'error', data: { code: 'slow_consumer', message: 'The stream fell behind.' } },
      ]).api,
      hooks(),
    );
    await cut.send('x');
    expect(cut.messages.get()[1]).toMatchObject({ status: 'error', error: 'The stream fell behind.', text: 'Half' });
  });

  test('a request error is shown on the reply', async () => {
    const chat = new ChatStore(chatApi([], { throwAfter: new Error('boom') }).api, hooks());
    await chat.send('x');
    expect(chat.messages.get()[1]).toMatchObject({ status: 'error', error: 'boom' });
  });

  test('tool labels are readable', () => {
    expect(toolLabel('add_to_queue')).toBe('Adding to the queue');
    expect(toolLabel('brand_new_tool')).toBe('brand new tool');
  });
});
