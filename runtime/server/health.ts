// gRPC health checking (grpc.health.v1) for the server as a whole ("") and each weir service.
import type { Server } from "@grpc/grpc-js";
import { HealthImplementation } from "grpc-health-check";

export const HEALTH_SERVICES = Object.freeze(["", "weir.v1.AdminService", "weir.v1.WorkerService"]);

export function addHealth(server: Server): HealthImplementation {
  const health = new HealthImplementation(Object.fromEntries(HEALTH_SERVICES.map((s) => [s, "SERVING" as const])));
  health.addToServer(server);
  return health;
}
