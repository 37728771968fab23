// The limits the spec checks enforce, in one frozen object (the runtime's scheduler relies on them).
export const SpecLimits = Object.freeze({
  maxGpusPerTask: 16,
  maxRetryAttempts: 100,
  /** Seconds: a timeout must be > 0 and at most 7 days. */
  maxTimeoutSeconds: 7 * 24 * 3600,
  /** Seconds: a fixed-rate schedule ticks at most once a second. */
  minFixedRateSeconds: 1,
});
