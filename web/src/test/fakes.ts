import type { ChannelLike, LocksLike } from '../player/hub';

// In-memory stand-ins for navigator.locks and BroadcastChannel with the
// semantics the hub relies on: one holder per lock name, waiters served in
// order, aborting a queued request rejects it; messages reach every other
// open channel of the same name, asynchronously, as structured clones.

interface Waiter {
  name: string;
  callback: () => Promise<void>;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

export class FakeLocks implements LocksLike {
  private readonly held = new Set<string>();
  private readonly waiting: Waiter[] = [];

  request(name: string, options: { signal?: AbortSignal }, callback: () => Promise<void>): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const w: Waiter = { name, callback, resolve, reject };
      options.signal?.addEventListener('abort', () => {
        const i = this.waiting.indexOf(w);
        if (i !== -1) {
          this.waiting.splice(i, 1);
          reject(new DOMException('aborted', 'AbortError'));
        }
      });
      this.waiting.push(w);
      this.pump(name);
    });
  }

  isHeld(name: string): boolean {
    return this.held.has(name);
  }

  private pump(name: string): void {
    if (this.held.has(name)) return;
    const i = this.waiting.findIndex((w) => w.name === name);
    if (i === -1) return;
    const [w] = this.waiting.splice(i, 1) as [Waiter];
    this.held.add(name);
    const release = (): void => {
      this.held.delete(name);
      this.pump(name);
    };
    Promise.resolve()
      .then(() => w.callback())
      .then(
        (v) => {
          release();
          w.resolve(v);
        },
        (e: unknown) => {
          release();
          w.reject(e);
        },
      );
  }
}

export class FakeBus {
  private readonly open = new Set<FakeChannel>();

  channel(name: string): FakeChannel {
    const ch = new FakeChannel(name, this);
    this.open.add(ch);
    return ch;
  }

  deliver(from: FakeChannel, message: unknown): void {
    for (const ch of this.open) {
      if (ch !== from && ch.name === from.name) {
        const data = structuredClone(message);
        setTimeout(() => ch.receive(data), 0);
      }
    }
  }

  close(ch: FakeChannel): void {
    this.open.delete(ch);
  }
}

export class FakeChannel implements ChannelLike {
  readonly name: string;
  private readonly bus: FakeBus;
  private readonly listeners: ((e: MessageEvent) => void)[] = [];
  private closed = false;

  constructor(name: string, bus: FakeBus) {
    this.name = name;
    this.bus = bus;
  }

  postMessage(message: unknown): void {
    if (!this.closed) this.bus.deliver(this, message);
  }

  addEventListener(_type: 'message', listener: (e: MessageEvent) => void): void {
    this.listeners.push(listener);
  }

  receive(data: unknown): void {
    if (this.closed) return;
    for (const l of this.listeners) l(new MessageEvent('message', { data }));
  }

  close(): void {
    this.closed = true;
    this.bus.close(this);
  }
}

/** Lets pending timers and microtasks run (real timers). */
export const settle = (ms = 5): Promise<void> => new Promise((r) => setTimeout(r, ms));
