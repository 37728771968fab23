// prom-client's default process metrics (CPU, memory, event-loop lag, GC, handles), collected once
// per process in a registry of their own: collecting them starts monitors (an event-loop delay
// histogram, a GC observer) that nothing stops, so each runtime started in a process (tests start
// hundreds) shares these rather than starting its own.
import { collectDefaultMetrics, Registry } from "prom-client";

let shared: Registry | undefined;

export function processMetrics(): Registry {
  if (!shared) {
    shared = new Registry();
    collectDefaultMetrics({ register: shared });
  }
  return shared;
}
