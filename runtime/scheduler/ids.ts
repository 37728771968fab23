// Ids the runtime makes up (executions without a given id, workers that register without one):
// time-ordered, with a counter and a random tail so ids made in the same millisecond differ.
let idCounter = 0;
export function newId(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}${(idCounter++ % 1296).toString(36).padStart(2, "0")}${Math.random().toString(36).slice(2, 6)}`;
}
