// Streams that never end by themselves (worker links, watches of running executions). A stopping
// server ends them first: a graceful gRPC shutdown waits for every call, and these would hold it
// until it gave up and cancelled them.
export class OpenCalls {
  private readonly closers = new Set<() => void>();
  private closing = false;

  /** Registers how to end a stream; returns how to forget it once it ended. A stream opened while stopping is ended at once. */
  add(close: () => void): () => void {
    if (this.closing) {
      close();
      return () => {};
    }
    this.closers.add(close);
    return () => void this.closers.delete(close);
  }

  get stopping(): boolean {
    return this.closing;
  }

  /** Ends every stream registered, and any registered from now on. */
  closeAll(): void {
    this.closing = true;
    for (const close of [...this.closers]) {
      try {
        close();
      } catch {
        // A stream already gone: nothing to end.
      }
    }
    this.closers.clear();
  }
}
