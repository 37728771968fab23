// What a postMessage gives away instead of copying. Only a buffer the bytes span whole is given
// (a view into a larger one, such as a received gRPC frame, would detach everything else in it),
// and each buffer once: the same ArrayBuffer listed twice is a DataCloneError that kills the worker.

export class TransferList {
  private buffers = new Set<ArrayBuffer>();

  /** Lists `bytes`' buffer when they own it whole; otherwise they are copied by the post. */
  add(bytes: Uint8Array | undefined): void {
    if (!bytes || bytes.byteLength === 0 || bytes.byteOffset !== 0) return;
    const buffer = bytes.buffer;
    if (!(buffer instanceof ArrayBuffer) || buffer.byteLength !== bytes.byteLength) return;
    this.buffers.add(buffer);
  }

  /** The buffers listed so far; the list starts empty again. */
  take(): ArrayBuffer[] {
    if (this.buffers.size === 0) return [];
    const out = [...this.buffers];
    this.buffers.clear();
    return out;
  }
}

/** A copy of `bytes` in a buffer of its own, so it can be transferred (Buffer.slice is a view). */
export function ownCopy(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(bytes);
}
