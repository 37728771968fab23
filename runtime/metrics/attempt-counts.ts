// Attempts ended, by workflow, task and state, counted on the hot path (once per attempt): nested
// Maps keyed by the names the engine already holds and an array indexed by the state, so counting
// builds no key and allocates nothing once a workflow's task has been seen. Read at scrape time.

/** Room for every NodeState value (0-11 today). */
const STATES = 16;

export class AttemptCounts {
  private readonly byWorkflow = new Map<string, Map<string, Float64Array>>();

  add(workflow: string, task: string, state: number): void {
    let tasks = this.byWorkflow.get(workflow);
    if (!tasks) this.byWorkflow.set(workflow, (tasks = new Map()));
    let counts = tasks.get(task);
    if (!counts) tasks.set(task, (counts = new Float64Array(STATES)));
    counts[state < STATES ? state : 0]!++;
  }

  *rows(): Iterable<{ workflow: string; task: string; state: number; count: number }> {
    for (const [workflow, tasks] of this.byWorkflow)
      for (const [task, counts] of tasks)
        for (let state = 0; state < STATES; state++) if (counts[state]) yield { workflow, task, state, count: counts[state]! };
  }
}
