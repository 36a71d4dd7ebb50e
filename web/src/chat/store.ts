import { describeError } from '../api/client';
import type { DjApi } from '../api/dj';
import type { ChatTurn } from '../api/types';
import { createStore } from '../lib/store';
import type { Envelope } from '../sse/parser';

// The conversation with the AI DJ: each reply streams in token by token
// (`content` frames), with the tools it uses shown where they happen, so
// "Digging for house…" [search, queue] "Queued Neon & Gravity…" reads as
// two paragraphs around the tool calls. The conversation lives in this
// tab only.

export interface ToolUse {
  tool: string;
  result?: string;
  done: boolean;
  /** The tool reported a failure (result then says why). */
  failed?: boolean;
}

export type ChatPart = { kind: 'text'; text: string } | ({ kind: 'tool' } & ToolUse);

export interface ChatMessage {
  id: number;
  role: 'user' | 'assistant';
  /** Every content frame, concatenated as sent. */
  text: string;
  /** Text runs and tool calls in the order they streamed. */
  parts: ChatPart[];
  status: 'streaming' | 'done' | 'error' | 'interrupted';
  /** What the DJ is doing right now (thinking frames), while streaming. */
  activity?: string;
  error?: string;
}

/** The reply's tool calls, in order. */
export function toolsOf(m: ChatMessage): ToolUse[] {
  return m.parts.flatMap((p) => {
    if (p.kind !== 'tool') return [];
    const { kind: _, ...use } = p;
    return [use];
  });
}

/** The reply's text runs as paragraphs (what the voice reads). */
export const paragraphsOf = (m: ChatMessage): string[] =>
  m.parts.flatMap((p) => (p.kind === 'text' && p.text.trim() !== '' ? [p.text.trim()] : []));

/** The server keeps at most 20 turns of context. */
const HISTORY_TURNS = 20;

export interface ChatHooks {
  /** After a reply that used tools: the mix may have changed. */
  onToolsUsed(): void;
  onReply(text: string): void;
}

export class ChatStore {
  readonly messages = createStore<ChatMessage[]>([]);
  readonly busy = createStore<boolean>(false);
  private readonly api: DjApi;
  private readonly hooks: ChatHooks;
  private abort: AbortController | null = null;
  private nextId = 1;

  constructor(api: DjApi, hooks: ChatHooks) {
    this.api = api;
    this.hooks = hooks;
  }

  async send(text: string): Promise<void> {
    const message = text.trim();
    if (message === '' || this.busy.get()) return;
    const history = this.history();
    const reply: ChatMessage = { id: this.nextId++, role: 'assistant', text: '', parts: [], status: 'streaming' };
    this.messages.set((all) => [
      ...all,
      { id: this.nextId++, role: 'user', text: message, parts: [{ kind: 'text', text: message }], status: 'done' },
      reply,
    ]);
    const ctl = new AbortController();
    this.abort = ctl;
    this.busy.set(true);
    let ended = false;
    try {
      await this.api.chat(message, history, (e) => (ended = this.onFrame(reply.id, e) || ended), ctl.signal);
      if (!ended) {
        // An error frame without done (the server ending the stream) keeps its own words.
        this.update(reply.id, (m) =>
          m.status === 'error' ? m : { ...m, status: 'interrupted', error: 'The connection dropped; the reply is incomplete.' },
        );
      }
    } catch (err) {
      if (ctl.signal.aborted) this.patch(reply.id, { status: 'interrupted', error: 'Stopped.' });
      else this.patch(reply.id, { status: 'error', error: describeError(err).message });
    } finally {
      this.abort = null;
      this.busy.set(false);
    }
    const final = this.messages.get().find((m) => m.id === reply.id);
    if (final === undefined) return;
    if (final.parts.some((p) => p.kind === 'tool')) this.hooks.onToolsUsed();
    const paragraphs = paragraphsOf(final);
    if (final.status === 'done' && paragraphs.length > 0) this.hooks.onReply(paragraphs.join('\n'));
  }

  stop(): void {
    this.abort?.abort();
  }

  reset(): void {
    this.stop();
    this.messages.set([]);
  }

  private history(): ChatTurn[] {
    return this.messages
      .get()
      .filter((m) => m.status === 'done' && m.text !== '')
      .map((m) => ({ role: m.role, content: m.text }))
      .slice(-HISTORY_TURNS);
  }

  /** Applies one frame to the reply; true when the stream is over. */
  private onFrame(id: number, e: Envelope): boolean {
    const d = e.data;
    switch (e.type) {
      case 'content':
        if (typeof d === 'string') {
          this.update(id, (m) => {
            const last = m.parts.at(-1);
            const parts: ChatPart[] =
              last?.kind === 'text'
                ? [...m.parts.slice(0, -1), { kind: 'text', text: last.text + d }]
                : [...m.parts, { kind: 'text', text: d }];
            return { ...m, text: m.text + d, parts };
          });
        }
        return false;
      case 'thinking':
        if (typeof d === 'string') this.patch(id, { activity: d });
        return false;
      case 'tool_start': {
        const tool = toolName(d);
        this.update(id, (m) => ({ ...m, parts: [...m.parts, { kind: 'tool', tool, done: false }] }));
        return false;
      }
      case 'tool_end': {
        const tool = toolName(d);
        const o = (typeof d === 'object' && d !== null ? d : {}) as { result?: unknown; error?: unknown };
        const result = typeof o.result === 'string' && o.result !== '' ? o.result : undefined;
        this.update(id, (m) => {
          const i = m.parts.findLastIndex((p) => p.kind === 'tool' && p.tool === tool && !p.done);
          if (i === -1) return m;
          const parts = [...m.parts];
          parts[i] = {
            kind: 'tool',
            tool,
            done: true,
            ...(result === undefined ? {} : { result }),
            ...(o.error === true ? { failed: true } : {}),
          };
          return { ...m, parts };
        });
        return false;
      }
      case 'error':
        // A string from the chat itself; {code, message} when the stream is cut (slow reader, shutdown).
        this.patch(id, { status: 'error', error: errorText(d) });
        return false;
      case 'done':
        this.update(id, (m) => {
          const { activity: _, ...rest } = m;
          return {
            ...rest,
            status: m.status === 'streaming' ? 'done' : m.status,
            parts: m.parts.map((p) => (p.kind === 'tool' ? { ...p, done: true } : p)),
          };
        });
        return true;
      default:
        return false; // log / debug frames are not for users
    }
  }

  private patch(id: number, p: Partial<ChatMessage>): void {
    this.update(id, (m) => ({ ...m, ...p }));
  }

  private update(id: number, f: (m: ChatMessage) => ChatMessage): void {
    this.messages.set((all) => all.map((m) => (m.id === id ? f(m) : m)));
  }
}

function errorText(d: unknown): string {
  if (typeof d === 'string' && d !== '') return d;
  const message = (d as { message?: unknown } | null)?.message;
  return typeof message === 'string' && message !== '' ? message : 'The DJ ran into a problem.';
}

function toolName(d: unknown): string {
  const t = (d as { tool?: unknown } | null)?.tool;
  return typeof t === 'string' ? t : 'tool';
}

const TOOL_LABELS: Record<string, string> = {
  search_spotify_tracks: 'Searching Spotify',
  add_to_queue: 'Adding to the queue',
  get_now_playing: "Checking what's playing",
  get_queue: 'Reading the queue',
  control_playback: 'Controlling playback',
  get_recommendations: 'Finding recommendations',
  get_track_details: 'Looking up a track',
  analyze_playlist: 'Analysing a playlist',
  get_playlist_tracks: 'Reading a playlist',
  create_playlist: 'Creating a playlist',
  recommend_from_similar: 'Finding similar tracks',
  recommend_from_tags: 'Searching by tags',
};

export function toolLabel(tool: string): string {
  return TOOL_LABELS[tool] ?? tool.replace(/_/g, ' ');
}
