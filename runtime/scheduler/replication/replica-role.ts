// What the engine needs to know when it is one of several replicas on one database (the membership
// itself, leases and fencing, is the store's: runtime/store/postgres-replicas.ts). A lone runtime has
// no role: it drives every execution in its store.

export interface ReplicaRole {
  /** The replica's epoch: its lease tokens live in [epoch << 32, (epoch + 1) << 32), unique cluster-wide. */
  readonly epoch: bigint;
  /**
   * Whether this replica drives an execution it creates: one it has workers for, or, for one
   * whose runs are limited (a workflow's or backfill's max active runs), only the leader, which
   * drives every limited run, so the limit holds across replicas. Others release it once committed.
   */
  drivesNew(limited: boolean): boolean;
  /** Gives up a committed execution this replica does not drive (it is not in memory); a limited one is for the leader alone. */
  release(executionId: string, limited: boolean): Promise<void>;
  /** Records that a committed execution this replica (the leader) drives is limited: were the leader to die, the next one takes it. */
  markLimited(executionId: string): Promise<void>;
}

/** Token bits below the epoch: 4 billion grants per replica process. */
const EPOCH_SHIFT = 32n;

/** The lease-token range replica `epoch` issues from: after `floor`, before `end`. */
export function leaseRange(epoch: bigint): { floor: bigint; end: bigint } {
  return { floor: epoch << EPOCH_SHIFT, end: (epoch + 1n) << EPOCH_SHIFT };
}
