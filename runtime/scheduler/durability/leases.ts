// Lease tokens: the fencing tokens of attempts. Tokens grow monotonically across restarts: they are
// reserved in blocks, each block recorded in the commit of the grant that opens it, and a restarted
// scheduler continues above the highest block the store holds. Only the token an attempt holds now
// is live.

/** Tokens reserved per block: one store row per this many grants; a restart skips what is left of one. */
export const LEASE_BLOCK = 1000n;

export class LeaseTable<A> {
  private next: bigint;
  private reservedThrough: bigint;
  private readonly live = new Map<bigint, A>();

  /**
   * `rangeEnd`: where this issuer's tokens end. A replica issues from its own range (its epoch in the
   * high bits), and a token it restores from another replica's range does not move it there.
   */
  constructor(
    private readonly highestIssued: bigint,
    private readonly rangeEnd?: bigint,
  ) {
    this.next = highestIssued + 1n;
    this.reservedThrough = highestIssued;
  }

  /** A fresh token; `reserve` is called, to record it with the grant, when the token opens a new block. */
  grant(holder: A, reserve: (issuedThrough: bigint) => void): bigint {
    const token = this.next++;
    if (token > this.reservedThrough) {
      this.reservedThrough = token + LEASE_BLOCK - 1n;
      reserve(this.reservedThrough);
    }
    this.live.set(token, holder);
    return token;
  }

  /** Re-establishes a lease reloaded from the store after a restart. */
  restore(token: bigint, holder: A): void {
    this.live.set(token, holder);
    if (token >= this.next && (this.rangeEnd === undefined || token < this.rangeEnd)) this.next = token + 1n;
  }

  /** Whether this issuer could have issued `token` (a replica's range; anything for a lone runtime). */
  issuedHere(token: bigint): boolean {
    return this.rangeEnd === undefined || (token > this.highestIssued && token < this.rangeEnd);
  }

  /** The holder of a live token; undefined for stale or unknown tokens (fencing). */
  holder(token: bigint): A | undefined {
    return this.live.get(token);
  }

  release(token: bigint): void {
    this.live.delete(token);
  }

  get size(): number {
    return this.live.size;
  }
}
