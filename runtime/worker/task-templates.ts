// The task templates this worker has been assigned, each decoded once and given a small id that
// task hosts cache it under. An Assign carries its template as bytes; equal bytes are the same
// template, so the lookup is a length bucket plus a byte comparison, not a decode or a hash.
import { fromBinary } from "@bufbuild/protobuf";
import { TaskTemplateSchema, type TaskTemplate } from "../../proto/index.ts";
import { ownCopy } from "./transfer-list.ts";

export interface KnownTemplate {
  /** Unique for this worker process; what task hosts key their decoded copy by. */
  readonly tid: number;
  readonly bytes: Uint8Array;
  readonly task: TaskTemplate;
}

/** Distinct templates kept before the table starts over (a worker sees a handful of task versions). */
const MAX_TEMPLATES = 1_024;

export class TaskTemplates {
  private byLength = new Map<number, KnownTemplate[]>();
  private count = 0;
  private nextTid = 1;

  /** The template for these bytes, decoded on first sight. Throws when the bytes do not decode. */
  get(bytes: Uint8Array): KnownTemplate {
    const bucket = this.byLength.get(bytes.byteLength);
    if (bucket) for (const t of bucket) if (Buffer.compare(t.bytes, bytes) === 0) return t;
    if (this.count >= MAX_TEMPLATES) {
      // Ids stay unique, so hosts never confuse an old template with a new one.
      this.byLength = new Map();
      this.count = 0;
    }
    // A copy: the bytes are a view into the received frame (Buffer.slice would be one too), which
    // this table would keep alive, and every post of the template to a host would clone whole.
    const own = ownCopy(bytes);
    const known: KnownTemplate = { tid: this.nextTid++, bytes: own, task: fromBinary(TaskTemplateSchema, own) };
    if (bucket && this.byLength.get(bytes.byteLength) === bucket) bucket.push(known);
    else this.byLength.set(bytes.byteLength, [known]);
    this.count++;
    return known;
  }
}
