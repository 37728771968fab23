// A Prometheus histogram observed on the scheduler's hot path (once per attempt, once per commit):
// a sample costs a short scan of fixed bounds and two additions, with no label hashing and no
// allocation (prom-client's own Histogram hashes its labels on every observe, ~0.4 µs). It joins a
// prom-client Registry as a metric of its own, giving the registry the values its Histogram gives.
import type { Metric, Registry } from "prom-client";

interface Series {
  readonly labels: Readonly<Record<string, string>>;
  /** Samples at most each bound (not cumulative; summed on export), then those above every bound. */
  readonly counts: Float64Array;
  sum: number;
}

interface MetricValue {
  metricName: string;
  labels: Record<string, string | number>;
  value: number;
}

export class BucketHistogram {
  readonly type = "histogram";
  readonly aggregator = "sum";
  private readonly series = new Map<string, Series>();
  private readonly bounds: Float64Array;

  constructor(
    readonly name: string,
    readonly help: string,
    bounds: readonly number[],
    /** The label this histogram is split by (one, as its users need), or none. */
    private readonly labelName?: string,
  ) {
    this.bounds = Float64Array.from(bounds);
  }

  /** Adds one sample of `value` to the series of `label` (its label's value; "" when unlabelled). */
  observe(value: number, label = ""): void {
    let s = this.series.get(label);
    if (!s) {
      s = { labels: this.labelName ? { [this.labelName]: label } : {}, counts: new Float64Array(this.bounds.length + 1), sum: 0 };
      this.series.set(label, s);
    }
    const bounds = this.bounds;
    let i = 0;
    while (i < bounds.length && value > bounds[i]!) i++;
    s.counts[i]!++;
    s.sum += value;
  }

  registerIn(registry: Registry): void {
    registry.registerMetric(this as unknown as Metric);
  }

  /** The registry's view: cumulative `_bucket` per bound and `+Inf`, `_sum`, `_count`, per series. */
  async get(): Promise<{ name: string; help: string; type: "histogram"; aggregator: "sum"; values: MetricValue[] }> {
    const values: MetricValue[] = [];
    for (const s of this.series.values()) {
      let cumulative = 0;
      for (let i = 0; i <= this.bounds.length; i++) {
        cumulative += s.counts[i]!;
        const le = i < this.bounds.length ? String(this.bounds[i]) : "+Inf";
        values.push({ metricName: `${this.name}_bucket`, labels: { le, ...s.labels }, value: cumulative });
      }
      values.push({ metricName: `${this.name}_sum`, labels: { ...s.labels }, value: s.sum });
      values.push({ metricName: `${this.name}_count`, labels: { ...s.labels }, value: cumulative });
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }

  reset(): void {
    this.series.clear();
  }
}
