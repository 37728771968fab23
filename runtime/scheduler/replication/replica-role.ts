// What the engine needs to know when it is one of several replicas on one database (the membership
// itself, leases and fencing, is the store's: runtime/store/postgres-replicas.ts). A lone runtime has
// no role: it drives every execution in its store.

export interface ReplicaRole {
  /** The replica's epoch: its lease tokens live in [epoch << 32, (epoch + 1) << 32), unique cluster-wide. */
  readonly epoch: bigint;
  /**
   * Whether this replica drives the executions it creates: it has workers. One that has none
   * releases them once committed, for a replica with workers to claim.
   */
  drivesNew(): boolean;
  /** Gives up a committed execution this replica does not drive (it is not in memory). */
  release(executionId: string): Promise<void>;
}

/** Token bits below the epoch: 4 billion grants per replica process. */
const EPOCH_SHIFT = 32n;

/** The lease-token range replica `epoch` issues from: after `floor`, before `end`. */
export function leaseRange(epoch: bigint): { floor: bigint; end: bigint } {
  return { floor: epoch << EPOCH_SHIFT, end: (epoch + 1n) << EPOCH_SHIFT };
}
