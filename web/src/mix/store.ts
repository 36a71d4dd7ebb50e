import type { DjApi } from '../api/dj';
import { describeError } from '../api/client';
import type { MixSession, QueuedTrack, SavedMix, Suggestion, VibeProfile } from '../api/types';
import { createStore } from '../lib/store';
import { notifyError } from '../lib/toasts';
import type { Envelope } from '../sse/parser';
import { removeAt, reorderQueue } from './queue';

// The user's mix as this tab sees it, and every change to it. Queue edits
// are optimistic and run one after another, so their indexes always refer
// to the order the server has; a failed edit reloads the mix. Other tabs
// are told to reload after each change.

export interface MixState {
  phase: 'loading' | 'ready' | 'error';
  session: MixSession | null;
  error?: string;
}

export interface SuggestionsState {
  phase: 'idle' | 'loading' | 'ready' | 'error';
  items: Suggestion[];
  basedOn: string;
  /** URIs added from this list since it was fetched. */
  added: string[];
  error?: string;
}

export interface SteerLine {
  kind: 'you' | 'progress' | 'thinking' | 'change' | 'track' | 'done' | 'error';
  text: string;
}

export interface SteerState {
  running: boolean;
  lines: SteerLine[];
}

export interface MixSync {
  post(): void;
  listen(onChange: () => void): () => void;
}

export class MixStore {
  readonly mix = createStore<MixState>({ phase: 'loading', session: null });
  readonly suggestions = createStore<SuggestionsState>({ phase: 'idle', items: [], basedOn: '', added: [] });
  readonly steer = createStore<SteerState>({ running: false, lines: [] });
  private readonly api: DjApi;
  private readonly sync: MixSync;
  private chain: Promise<void> = Promise.resolve();
  private pending = 0;
  private loadSeq = 0;
  private steerAbort: AbortController | null = null;

  constructor(api: DjApi, sync: MixSync) {
    this.api = api;
    this.sync = sync;
  }

  /** Reloads the mix from the server (skipped while queue edits are in flight). */
  async load(): Promise<void> {
    if (this.pending > 0) return;
    const seq = ++this.loadSeq;
    try {
      const { session } = await this.api.currentMix();
      if (seq !== this.loadSeq || this.pending > 0) return;
      this.mix.set({ phase: 'ready', session });
    } catch (err) {
      if (seq !== this.loadSeq) return;
      const { message } = describeError(err);
      this.mix.set((m) => ({ ...m, phase: m.session === null ? 'error' : 'ready', error: message }));
      if (this.mix.get().session !== null) notifyError(err);
    }
  }

  async start(seedPlaylistId: string | null): Promise<void> {
    // One call, even when a mix is going: startMix replaces it.
    const { session } = await this.api.startMix(seedPlaylistId);
    this.mix.set({ phase: 'ready', session });
    this.suggestions.set({ phase: 'idle', items: [], basedOn: '', added: [] });
    this.sync.post();
  }

  async end(): Promise<void> {
    await this.api.endMix();
    this.reset();
    this.mix.set({ phase: 'ready', session: null });
    this.sync.post();
  }

  reorder(from: number, to: number): void {
    if (from === to) return;
    this.edit((q) => reorderQueue(q, from, to), () => this.api.reorderQueue(from, to));
  }

  remove(index: number): void {
    this.edit((q) => removeAt(q, index), () => this.api.removeFromQueue(index));
  }

  add(s: Suggestion): void {
    this.suggestions.set((st) => ({ ...st, added: [...st.added, s.trackUri] }));
    this.edit((q) => q, () => this.api.addToQueue(s.trackUri));
  }

  async refreshSuggestions(): Promise<void> {
    this.suggestions.set((s) => ({ ...s, phase: 'loading' }));
    try {
      const r = await this.api.suggestions();
      this.suggestions.set({ phase: 'ready', items: r.suggestions, basedOn: r.basedOn.vibeProfile, added: [] });
    } catch (err) {
      this.suggestions.set((s) => ({ ...s, phase: 'error', error: describeError(err).message }));
    }
  }

  async save(name: string, description: string, includeQueue: boolean): Promise<SavedMix> {
    return this.api.saveMix(name, description, includeQueue);
  }

  /** Streams one steer; controls stay disabled until it ends, however it ends. */
  async runSteer(direction: string): Promise<void> {
    if (this.steer.get().running) return;
    const ctl = new AbortController();
    this.steerAbort = ctl;
    this.steer.set({ running: true, lines: [{ kind: 'you', text: direction }] });
    let finished = false;
    const line = (l: SteerLine): void => this.steer.set((s) => ({ ...s, lines: [...s.lines, l] }));
    try {
      await this.api.steer(
        direction,
        (e) => {
          const done = this.onSteerEvent(e, line);
          finished ||= done;
        },
        ctl.signal,
      );
      if (!finished) {
        line({ kind: 'error', text: 'The connection dropped before the DJ finished. Your mix was reloaded.' });
        await this.load();
      }
    } catch (err) {
      if (!ctl.signal.aborted) line({ kind: 'error', text: describeError(err).message });
    } finally {
      this.steerAbort = null;
      this.steer.set((s) => ({ ...s, running: false }));
    }
    this.sync.post();
    void this.refreshSuggestions();
  }

  /** Forgets everything (logout, mix ended) and stops a running steer. */
  reset(): void {
    this.steerAbort?.abort();
    this.loadSeq++;
    this.mix.set({ phase: 'loading', session: null });
    this.suggestions.set({ phase: 'idle', items: [], basedOn: '', added: [] });
    this.steer.set({ running: false, lines: [] });
  }

  /** Returns true for the terminal frames. */
  private onSteerEvent(e: Envelope, line: (l: SteerLine) => void): boolean {
    const d = (typeof e.data === 'object' && e.data !== null ? e.data : {}) as Record<string, unknown>;
    const text = (k: string): string => (typeof d[k] === 'string' ? (d[k] as string) : '');
    switch (e.type) {
      case 'ack':
      case 'progress':
        if (text('message') !== '') line({ kind: 'progress', text: text('message') });
        return false;
      case 'thinking':
        if (text('preview') !== '') line({ kind: 'thinking', text: text('preview') });
        return false;
      case 'vibe_update':
        this.patchSession({ vibe: d.vibe as VibeProfile });
        for (const c of Array.isArray(d.changes) ? d.changes : []) line({ kind: 'change', text: String(c) });
        return false;
      case 'queue_update': {
        const t = d.track as QueuedTrack | undefined;
        if (t) line({ kind: 'track', text: `${t.name} — ${t.artist}` });
        return false;
      }
      case 'done':
        this.patchSession({ vibe: d.vibe as VibeProfile, queue: d.queue as QueuedTrack[] });
        line({ kind: 'done', text: text('message') || 'Vibe updated.' });
        return true;
      case 'error':
        line({ kind: 'error', text: text('message') || 'The DJ could not steer the mix.' });
        return true;
      default:
        return false;
    }
  }

  private patchSession(patch: Partial<Pick<MixSession, 'vibe' | 'queue'>>): void {
    // Newer than any reload still in flight: that answer must not undo this.
    this.loadSeq++;
    const clean = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined && v !== null));
    this.mix.set((m) => (m.session === null ? m : { ...m, session: { ...m.session, ...clean } }));
  }

  private edit(optimistic: (q: QueuedTrack[]) => QueuedTrack[], call: () => Promise<{ queue: QueuedTrack[] }>): void {
    const before = this.mix.get().session;
    if (before === null) return;
    // A reload already on its way answers with the order before this edit.
    this.loadSeq++;
    this.mix.set({ phase: 'ready', session: { ...before, queue: optimistic(before.queue) } });
    this.pending++;
    this.chain = this.chain.then(async () => {
      try {
        const { queue } = await call();
        this.pending--;
        if (this.pending === 0) this.patchSession({ queue });
        this.sync.post();
      } catch (err) {
        this.pending--;
        notifyError(err);
        await this.load();
      }
    });
  }
}
