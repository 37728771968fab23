// Lease tokens: the fencing tokens of attempts. Tokens grow monotonically across restarts (the
// store's highest token seeds the counter); only the token an attempt holds now is live.
export class LeaseTable<A> {
  private next: bigint;
  private readonly live = new Map<bigint, A>();

  constructor(highestIssued: bigint) {
    this.next = highestIssued + 1n;
  }

  grant(holder: A): bigint {
    const token = this.next++;
    this.live.set(token, holder);
    return token;
  }

  /** Re-establishes a lease reloaded from the store after a restart. */
  restore(token: bigint, holder: A): void {
    this.live.set(token, holder);
    if (token >= this.next) this.next = token + 1n;
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
