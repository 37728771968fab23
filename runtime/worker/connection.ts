// The worker's one bidirectional Connect stream: registers, heartbeats at the interval the runtime
// asks for, and when the stream breaks reconnects with jittered backoff capped near 1 s (grpc-js's
// own reconnect backoff capped to match), re-registers under the same worker id and delivers the
// results (and recent logs) that piled up meanwhile, after those written just before the break
// (they may not have arrived; the runtime's lease fencing drops any it already has). Assigns
// arrive as frames (template and inputs still bytes) and results leave pre-encoded (proto/wire/),
// the results of one turn as one ResultBatch when the runtime said it reads them. A first
// connection the runtime refuses for good (no or a wrong token, TLS on one side only, an untrusted
// certificate) is reported once instead of retried: nothing has run yet, and retrying cannot help.
import * as grpc from "@grpc/grpc-js";
import { create, toBinary } from "@bufbuild/protobuf";
import { decodeServerFrame, encodeResultBatch, HeartbeatSchema, WorkerMessageSchema, WorkerService } from "../../proto/index.ts";
import type { AssignFrame, Cancel, Register, Registered, ServerFrame, WorkerMessage } from "../../proto/index.ts";
import { PLAINTEXT, callMetadata, channelCredentials, diagnoseTlsFailure, type ChannelSecurity } from "../channel-security.ts";
import type { Logger } from "../log.ts";

export interface ConnectionOptions {
  /** host:port of the runtime, or of several replicas separated by commas: a broken one hands over to the next. */
  address: string;
  /** TLS and the token; plaintext without a token when absent. */
  security?: ChannelSecurity;
  /** The Register message to send on every (re)connect; reads the current worker id. */
  register(): Register;
  running(): bigint[];
  onRegistered(registered: Registered): void;
  onAssign(assign: AssignFrame): void;
  onCancel(cancel: Cancel): void;
  /** The runtime refused the first connection for good; the connection has stopped. */
  onRefused?(refusal: ConnectionRefused): void;
  log: Logger;
  reconnectInitialMs: number;
  reconnectMaxMs: number;
  heartbeatIntervalMs: number;
  maxBufferedLogs: number;
  /** Results written within this long before a break are sent again after re-registering. */
  resendWindowMs?: number;
  /** Messages to send on each Registered, after what waited and before the Heartbeat (Started again). */
  onReregistered?(): Outgoing[];
}

/** Why the runtime would not take this worker, with what to do about it. */
export class ConnectionRefused extends Error {
  override readonly name = "ConnectionRefused";
  constructor(
    readonly code: "UNAUTHENTICATED" | "TLS_FAILED",
    message: string,
  ) {
    super(message);
  }
}

const CONNECT_PATH = `/${WorkerService.typeName}/${WorkerService.method.connect.name}`;
/** A WorkerMessage, or one already encoded (a Result from encodeResult). */
export type Outgoing = WorkerMessage | Uint8Array;
/** Results kept for a re-send at most (the oldest go first). */
const MAX_RESEND = 10_000;
const serialize = (value: Outgoing): Buffer =>
  value instanceof Uint8Array ? Buffer.from(value.buffer, value.byteOffset, value.byteLength) : Buffer.from(toBinary(WorkerMessageSchema, value));

export class WorkerConnection {
  private client: grpc.Client;
  /** The runtime addresses (replicas) and the one in use. */
  private readonly addresses: string[];
  private current = 0;
  private stream: grpc.ClientDuplexStream<Outgoing, ServerFrame> | undefined;
  private registered = false;
  /** Registered at least once: from then on every failure is retried (results are queued). */
  private everRegistered = false;
  private closed = false;
  private backoffMs: number;
  private heartbeat: NodeJS.Timeout | undefined;
  private reconnect: NodeJS.Timeout | undefined;
  // Messages that could not be sent: results are always kept; logs up to maxBufferedLogs.
  private outbox: Outgoing[] = [];
  private bufferedLogs = 0;
  /** Results written on the current stream lately, with when (from writtenHead on): re-sent if it breaks. */
  private written: { at: number; bytes: Uint8Array }[] = [];
  private writtenHead = 0;
  /** The runtime reads ResultBatch (its Registered said so). */
  private batchResults = false;
  /** Encoded Results sent this turn, written together at its end. */
  private results: Uint8Array[] = [];
  /** Told after the next Registered (once what waited has been sent). */
  private onceRegistered: (() => void)[] = [];
  private readonly options: ConnectionOptions;
  private readonly security: ChannelSecurity;

  constructor(options: ConnectionOptions) {
    this.options = options;
    this.backoffMs = options.reconnectInitialMs;
    this.security = options.security ?? PLAINTEXT;
    this.addresses = options.address
      .split(",")
      .map((a) => a.trim())
      .filter(Boolean);
    this.client = this.channelTo(this.addresses[0]!);
  }

  /** The runtime this worker is (or is about to be) connected to. */
  get address(): string {
    return this.addresses[this.current]!;
  }

  private channelTo(address: string): grpc.Client {
    return new grpc.Client(address, channelCredentials(this.security), {
      "grpc.keepalive_time_ms": 10_000,
      "grpc.keepalive_timeout_ms": 5_000,
      // grpc-js backs off reconnecting the channel on its own (up to 120 s by default, failing
      // calls fast meanwhile): capped at half our own cap (its jitter is ±20%), and a re-connect
      // waits for the channel (waitForReady), so a worker is back well within a second of the
      // runtime listening again, after any outage.
      "grpc.initial_reconnect_backoff_ms": Math.min(this.options.reconnectInitialMs, this.options.reconnectMaxMs),
      "grpc.max_reconnect_backoff_ms": Math.max(1, Math.floor(this.options.reconnectMaxMs / 2)),
      // The stream reconnects on its own (Register again, results kept): grpc-js's transparent
      // retries would add a buffering layer to every message written on it.
      "grpc.enable_retries": 0,
    });
  }

  /** With several replicas, the next one: a worker whose runtime died carries on with another. */
  private nextAddress(): void {
    if (this.addresses.length < 2) return;
    this.switchToAddress((this.current + 1) % this.addresses.length);
    this.options.log.info({ address: this.address }, "trying the next runtime replica");
  }

  /** Connects from now on to the address at `index` (a new channel; the old one is closed). */
  private switchToAddress(index: number): void {
    this.current = index;
    this.client.close();
    this.client = this.channelTo(this.address);
  }

  get isRegistered(): boolean {
    return this.registered;
  }

  start(): void {
    if (this.closed) return;
    const metadata = callMetadata(this.security);
    // Once registered, a new stream waits for the channel to reconnect instead of failing at once
    // while it backs off; a first connection fails fast, so a refusal can be told and reported.
    // With several replicas it fails fast instead, and the next attempt tries the next replica.
    if (this.everRegistered && this.addresses.length < 2) metadata.setOptions({ waitForReady: true });
    const stream = this.client.makeBidiStreamRequest(CONNECT_PATH, serialize, decodeServerFrame, metadata);
    this.stream = stream;
    stream.on("data", (frame: ServerFrame) => this.onFrame(frame));
    stream.on("error", (err: grpc.ServiceError) => this.onError(stream, err));
    stream.on("end", () => this.onBroken(stream, "the runtime closed the stream"));
    stream.write(create(WorkerMessageSchema, { msg: { case: "register", value: this.options.register() } }));
  }

  private onFrame(frame: ServerFrame): void {
    if (frame.case === "assigns") {
      for (const a of frame.value) this.options.onAssign(a);
      return;
    }
    const msg = frame.value;
    switch (msg.msg.case) {
      case "redirect": {
        // A replica with no work for this worker sends it where work waits; its other addresses stay for failover.
        const to = msg.msg.value.address;
        if (!to) return;
        if (!this.addresses.includes(to)) this.addresses.push(to);
        this.options.log.info({ from: this.address, to, why: msg.msg.value.reason }, "moving to another runtime replica");
        const stream = this.stream;
        if (stream) this.detach(stream);
        this.switchToAddress(this.addresses.indexOf(to));
        this.start();
        return;
      }
      case "registered": {
        this.registered = true;
        this.everRegistered = true;
        this.batchResults = msg.msg.value.acceptsResultBatch;
        this.backoffMs = this.options.reconnectInitialMs;
        this.options.onRegistered(msg.msg.value);
        const interval = msg.msg.value.heartbeatInterval;
        const ms = interval ? Number(interval.seconds) * 1000 + interval.nanos / 1e6 : this.options.heartbeatIntervalMs;
        clearInterval(this.heartbeat);
        this.heartbeat = setInterval(() => this.sendHeartbeat(), Math.max(10, ms));
        this.heartbeat.unref();
        const pending = this.outbox;
        this.outbox = [];
        this.bufferedLogs = 0;
        for (const queued of pending) this.send(queued);
        for (const again of this.options.onReregistered?.() ?? []) this.send(again);
        // Before the Heartbeat: a result it did not list must arrive first, not be declared lost.
        this.flushResults();
        this.sendHeartbeat();
        for (const told of this.onceRegistered.splice(0)) told();
        return;
      }
      case "cancel":
        this.options.onCancel(msg.msg.value);
        return;
    }
  }

  private sendHeartbeat(): void {
    this.send(create(WorkerMessageSchema, { msg: { case: "heartbeat", value: create(HeartbeatSchema, { running: this.options.running() }) } }));
  }

  /**
   * Sends now when registered (results at the end of the turn); otherwise keeps results (and
   * recent logs) for the next stream. Bytes are an encoded Result (encodeResult), always kept.
   */
  send(msg: Outgoing): void {
    if (this.registered && this.stream) {
      if (this.batchResults && msg instanceof Uint8Array) {
        // Task threads hand back the outcomes of a turn together: the tick after them ends the batch.
        if (this.results.push(msg) === 1) process.nextTick(this.flushResults);
        return;
      }
      this.flushResults(); // keeps the order: a task's log lines before its result
      this.stream.write(msg);
      if (msg instanceof Uint8Array) this.remember([msg]);
      return;
    }
    if (msg instanceof Uint8Array) {
      this.outbox.push(msg);
      return;
    }
    // A heartbeat is sent anew, and Started again for what still runs (onReregistered), on register.
    if (msg.msg.case === "heartbeat" || msg.msg.case === "started") return;
    if (msg.msg.case === "log") {
      if (this.bufferedLogs >= this.options.maxBufferedLogs) return;
      this.bufferedLogs++;
    }
    this.outbox.push(msg);
  }

  private readonly flushResults = (): void => {
    const results = this.results;
    if (results.length === 0) return;
    this.results = [];
    // The stream broke since they were queued: they wait for the next one like any result.
    if (!this.registered || !this.stream) this.outbox.push(...results);
    else {
      this.stream.write(results.length === 1 ? results[0]! : encodeResultBatch(results));
      this.remember(results);
    }
  };

  /** Keeps what was just written for a re-send should this stream break (see detach). */
  private remember(results: Uint8Array[]): void {
    const window = this.options.resendWindowMs ?? 0;
    if (window <= 0) return;
    const now = Date.now();
    for (const bytes of results) this.written.push({ at: now, bytes });
    const w = this.written;
    let head = Math.max(this.writtenHead, w.length - MAX_RESEND);
    while (head < w.length && now - w[head]!.at > window) head++;
    // Dropped from the front by index; the array is compacted once half of it is dropped.
    if (head > 1024 && head * 2 > w.length) {
      this.written = w.slice(head);
      head = 0;
    }
    this.writtenHead = head;
  }

  /** The results written within the re-send window; forgets them all. */
  private takeRecent(): Uint8Array[] {
    const window = this.options.resendWindowMs ?? 0;
    const now = Date.now();
    const out: Uint8Array[] = [];
    for (let i = this.writtenHead; i < this.written.length; i++) if (now - this.written[i]!.at <= window) out.push(this.written[i]!.bytes);
    this.written = [];
    this.writtenHead = 0;
    return out;
  }

  private onError(stream: grpc.ClientDuplexStream<Outgoing, ServerFrame>, err: grpc.ServiceError): void {
    const why = err.details || err.message;
    if (stream !== this.stream || this.everRegistered || !this.options.onRefused) return this.onBroken(stream, why);
    if (err.code === grpc.status.UNAUTHENTICATED) {
      this.refused(stream, new ConnectionRefused("UNAUTHENTICATED", `the weir runtime at ${this.options.address} refused this worker: ${why}`));
      return;
    }
    if (err.code !== grpc.status.UNAVAILABLE) return this.onBroken(stream, why);
    this.detach(stream);
    void diagnoseTlsFailure(this.options.address, this.security, why).then((tls) => {
      if (tls) this.refused(undefined, new ConnectionRefused("TLS_FAILED", tls));
      else this.retry(why);
    });
  }

  private refused(stream: grpc.ClientDuplexStream<Outgoing, ServerFrame> | undefined, refusal: ConnectionRefused): void {
    if (stream) this.detach(stream);
    if (this.closed) return;
    this.closed = true;
    this.options.onRefused!(refusal);
  }

  private onBroken(stream: grpc.ClientDuplexStream<Outgoing, ServerFrame>, why: string): void {
    if (stream !== this.stream) return;
    this.detach(stream);
    this.retry(why);
  }

  private detach(stream: grpc.ClientDuplexStream<Outgoing, ServerFrame>): void {
    this.stream = undefined;
    this.registered = false;
    this.flushResults();
    // Written moments before the break, they may have died in a socket buffer or with a runtime
    // killed before its commit: sent again first, the runtime drops those whose lease it settled.
    const again = this.takeRecent();
    if (again.length > 0) this.outbox.unshift(...again);
    clearInterval(this.heartbeat);
    stream.removeAllListeners();
    stream.on("error", () => undefined);
    stream.cancel();
  }

  private retry(why: string): void {
    if (this.closed) return;
    // Jittered into [½, 1]× so workers cut off together do not come back in lockstep.
    const delay = Math.round(this.backoffMs * (0.5 + Math.random() * 0.5));
    this.backoffMs = Math.min(this.backoffMs * 2, this.options.reconnectMaxMs);
    this.options.log.warn({ why, retryInMs: delay }, "connection to the runtime lost; reconnecting");
    this.reconnect = setTimeout(() => {
      this.nextAddress();
      this.start();
    }, delay);
  }

  /**
   * Ends the stream after flushing what is queued. Results still waiting for a runtime that is
   * away get up to `deliverWithinMs` for it to come back (the reconnect loop keeps trying).
   */
  async close(deliverWithinMs = 0): Promise<void> {
    if (!this.closed && !this.registered && deliverWithinMs > 0 && this.outbox.some((m) => m instanceof Uint8Array)) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, deliverWithinMs);
        this.onceRegistered.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    this.flushResults();
    this.closed = true;
    clearInterval(this.heartbeat);
    clearTimeout(this.reconnect);
    const stream = this.stream;
    if (stream) {
      await new Promise<void>((resolve) => {
        stream.once("end", resolve);
        stream.once("error", () => resolve());
        stream.end();
        setTimeout(resolve, 1_000).unref();
      });
    }
    this.client.close();
  }
}
