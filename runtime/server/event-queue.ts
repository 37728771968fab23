// A push-fed async iterable: a producer (the engine's watch) pushes events as they commit, a
// transport pulls them (grpc-js writes each, Connect yields each). It ends or fails once; a
// consumer that stops pulling early (its client went away) runs `onStop`, so the producer stops too.
export class EventQueue<T> implements AsyncIterable<T> {
  private readonly items: T[] = [];
  private waiting: { ok: (r: IteratorResult<T>) => void; fail: (err: unknown) => void } | undefined;
  private done = false;
  private error: { err: unknown } | undefined;
  private stopped = false;

  constructor(private readonly onStop: () => void = () => {}) {}

  push(item: T): void {
    if (this.done) return;
    const w = this.waiting;
    if (w) {
      this.waiting = undefined;
      w.ok({ value: item, done: false });
    } else this.items.push(item);
  }

  /** No more events: the iteration ends after those queued. */
  end(): void {
    if (this.done) return;
    this.done = true;
    this.wake();
  }

  /** The iteration throws `err` after those queued. */
  fail(err: unknown): void {
    if (this.done) return;
    this.done = true;
    this.error = { err };
    this.wake();
  }

  [Symbol.asyncIterator](): AsyncIterator<T> {
    return {
      next: () => {
        if (this.items.length) return Promise.resolve({ value: this.items.shift()!, done: false });
        if (this.error) return Promise.reject(this.error.err);
        if (this.done) return Promise.resolve({ value: undefined, done: true });
        return new Promise((ok, fail) => (this.waiting = { ok, fail }));
      },
      return: () => {
        this.stop();
        return Promise.resolve({ value: undefined, done: true });
      },
    };
  }

  /** The consumer is gone: nothing more is kept, and the producer is told. */
  stop(): void {
    this.done = true;
    this.items.length = 0;
    this.wake();
    if (this.stopped) return;
    this.stopped = true;
    this.onStop();
  }

  private wake(): void {
    const w = this.waiting;
    if (!w) return;
    this.waiting = undefined;
    if (this.error) w.fail(this.error.err);
    else w.ok({ value: undefined, done: true });
  }
}
