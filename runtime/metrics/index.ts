// The runtime's Prometheus metrics (prom-client): a registry per server, fed by the engine as its
// SchedulerObserver and read from its occupancy at scrape time; served at /metrics on the HTTP port.
export { METRIC_BUCKETS, RuntimeMetrics } from "./runtime-metrics.ts";
