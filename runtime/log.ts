// The runtime's structured logger (pino): one root logger, children per part ("scheduler", "server").
import { pino, type Logger } from "pino";

export type { Logger } from "pino";

export function createLogger(level: string = process.env.WEIR_LOG_LEVEL ?? "info"): Logger {
  return pino({ name: "weir", level });
}
