// How large and how deep a request message may be, per method. grpc-js has one receive limit per
// server, so the transport takes up to the largest any method accepts and each method's own limit
// is checked on the bytes before they are decoded; nesting is checked once they are (decoding,
// validating and hashing all recurse per level). Both transports (grpc-js and Connect) apply these
// limits and answer with the same refusals.
import { RuntimeError } from "../error-codes.ts";

const MiB = 1024 * 1024;

export const MESSAGE_LIMITS = Object.freeze({
  /** What the transport reads of one message (the largest per-method limit): larger is RESOURCE_EXHAUSTED before any byte is kept. */
  transportBytes: 64 * MiB,
  /** Every method not listed below: ids, small inputs (large values go as files, UploadArtifact). */
  defaultBytes: 4 * MiB,
  perMethod: Object.freeze<Record<string, number>>({
    // A compiled spec: thousands of nodes fit in a few MiB.
    "/weir.v1.AdminService/RegisterWorkflow": 16 * MiB,
    // One chunk of an upload (the CLI sends 1 MiB; the upload as a whole is bounded by UPLOAD_LIMITS).
    "/weir.v1.AdminService/UploadArtifact": 4 * MiB,
    // A whole file in one message (a browser's upload, which cannot stream a request).
    "/weir.v1.AdminService/PutArtifact": 64 * MiB,
    // A worker's ResultBatch carries a turn's outputs inline.
    "/weir.v1.WorkerService/Connect": 64 * MiB,
  }),
  /** Messages inside messages: protobuf-es's own decoding limit (its recursionLimit), so every reader agrees. */
  maxDepth: 100,
});

/** The most bytes one request message of `path` (`/package.Service/Method`) may have. */
export function messageLimit(path: string): number {
  return MESSAGE_LIMITS.perMethod[path] ?? MESSAGE_LIMITS.defaultBytes;
}

/** The refusal of a `method` request of `size` bytes, over its `limit`. */
export function sizeRefusal(method: string, limit: number, size: number): RuntimeError {
  return new RuntimeError("RESOURCE_EXHAUSTED", `a ${method} message may hold at most ${limit} bytes; this one has ${size}`);
}

/** The refusal of a `method` request that nests messages deeper than maxDepth. */
export function depthRefusal(method: string): RuntimeError {
  return new RuntimeError("INVALID_ARGUMENT", `the ${method} request nests messages deeper than ${MESSAGE_LIMITS.maxDepth} levels`);
}

/** Whether a decoded protobuf-es message nests messages deeper than `max` (walked without recursion). */
export function messageTooDeep(message: object, max: number = MESSAGE_LIMITS.maxDepth): boolean {
  const stack: Array<[object, number]> = [[message, 1]];
  while (stack.length) {
    const [value, depth] = stack.pop()!;
    if (depth > max) return true;
    for (const field of Object.values(value)) {
      if (typeof field !== "object" || field === null || ArrayBuffer.isView(field)) continue;
      // Only messages count as a level; oneof wrappers, map records and arrays pass through.
      const items: unknown[] = Array.isArray(field) ? field : [field];
      for (const item of items) {
        if (typeof item !== "object" || item === null || ArrayBuffer.isView(item)) continue;
        stack.push([item, "$typeName" in item ? depth + 1 : depth]);
      }
    }
  }
  return false;
}
