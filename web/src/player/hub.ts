import { createStore, type Store } from '../lib/store';
import { applyPlayerEvent, emptyPlayer, type PlayerState } from './state';
import type { ConnStatus, StreamControl, StreamHandlers } from './stream';

// One player stream per browser profile, shared by every tab of the app.
//
// The tabs elect a leader with the Web Locks API: each asks for the same
// exclusive lock, the holder runs the one stream and relays its events and
// status on a BroadcastChannel, the others wait in the lock's queue. When
// the leader's tab closes, crashes or is frozen, the browser frees the lock
// and the next tab takes over at once. A tab that joins late asks for a
// snapshot of the folded state, so it never shows stale deltas. Without
// Web Locks (an insecure origin), each tab runs its own stream.

export const PLAYER_LOCK = 'dj-player-stream';
export const PLAYER_CHANNEL = 'dj-player';

export interface LocksLike {
  request(name: string, options: { signal?: AbortSignal }, callback: () => Promise<void>): Promise<unknown>;
}

export interface ChannelLike {
  postMessage(message: unknown): void;
  addEventListener(type: 'message', listener: (e: MessageEvent) => void): void;
  close(): void;
}

export type HubMessage =
  | { t: 'event'; name: string; data: unknown; at: number }
  | { t: 'status'; status: ConnStatus }
  | { t: 'snapshot'; state: PlayerState; status: ConnStatus }
  | { t: 'hello' }
  | { t: 'kick' };

export type Role = 'stopped' | 'follower' | 'leader' | 'solo';

export interface HubDeps {
  locks: LocksLike | null;
  channel: () => ChannelLike | null;
  connect: (handlers: StreamHandlers, signal: AbortSignal) => StreamControl;
}

export type EventListener = (name: string, data: unknown, state: PlayerState) => void;

export class PlayerHub {
  readonly state: Store<PlayerState> = createStore<PlayerState>(emptyPlayer);
  readonly status: Store<ConnStatus> = createStore<ConnStatus>({ state: 'stopped' });
  readonly role: Store<Role> = createStore<Role>('stopped');
  private readonly deps: HubDeps;
  private readonly listeners = new Set<EventListener>();
  private stopper: AbortController | null = null;
  private channel: ChannelLike | null = null;
  private stream: StreamControl | null = null;

  constructor(deps: HubDeps) {
    this.deps = deps;
  }

  /** Called for every event this tab sees, whichever tab runs the stream. */
  onEvent(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  start(): void {
    if (this.stopper !== null) return;
    const stopper = new AbortController();
    this.stopper = stopper;
    const channel = this.deps.locks === null ? null : this.deps.channel();
    if (channel === null) {
      this.role.set('solo');
      void this.lead(stopper.signal);
      return;
    }
    this.channel = channel;
    channel.addEventListener('message', (e) => this.receive(e.data as HubMessage));
    this.role.set('follower');
    this.status.set({ state: 'connecting' });
    channel.postMessage({ t: 'hello' } satisfies HubMessage);
    this.deps.locks
      ?.request(PLAYER_LOCK, { signal: stopper.signal }, async () => {
        if (stopper.signal.aborted) return;
        this.role.set('leader');
        await this.lead(stopper.signal);
      })
      .catch(() => undefined); // AbortError: stopped while waiting for the lock
  }

  /** Stops this tab's part: leaves the lock queue or ends the stream it leads. */
  stop(): void {
    this.stopper?.abort();
    this.stopper = null;
    this.channel?.close();
    this.channel = null;
    this.stream = null;
    this.role.set('stopped');
    this.state.set(emptyPlayer);
    this.status.set({ state: 'stopped' });
  }

  /** Reconnect now instead of waiting out the backoff. */
  kick(): void {
    if (this.stream !== null) this.stream.kick();
    else this.post({ t: 'kick' });
  }

  private async lead(signal: AbortSignal): Promise<void> {
    const stream = this.deps.connect(
      {
        onEvent: (name, data, at) => {
          this.post({ t: 'event', name, data, at });
          this.apply(name, data, at);
        },
        onStatus: (status) => {
          if (signal.aborted) return;
          this.status.set(status);
          this.post({ t: 'status', status });
        },
      },
      signal,
    );
    this.stream = stream;
    await stream.done;
  }

  private receive(m: HubMessage): void {
    const leading = this.stream !== null;
    switch (m.t) {
      case 'hello':
        if (leading) this.post({ t: 'snapshot', state: this.state.get(), status: this.status.get() });
        break;
      case 'kick':
        this.stream?.kick();
        break;
      case 'event':
        if (!leading) this.apply(m.name, m.data, m.at);
        break;
      case 'status':
        if (!leading) this.status.set(m.status);
        break;
      case 'snapshot':
        if (!leading) {
          this.state.set(m.state);
          this.status.set(m.status);
        }
        break;
    }
  }

  private apply(name: string, data: unknown, at: number): void {
    const next = applyPlayerEvent(this.state.get(), name, data, at);
    this.state.set(next);
    for (const l of [...this.listeners]) l(name, data, next);
  }

  private post(m: HubMessage): void {
    this.channel?.postMessage(m);
  }
}
