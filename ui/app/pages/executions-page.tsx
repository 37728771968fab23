// Executions: every run, newest first, filtered by workflow, state and creation time (the URL
// holds the filters); with a workflow chosen, the grid of its recent runs above the list.
import { type ReactNode, useMemo, useState } from "react";
import { type Execution, ExecutionState } from "../../../proto/messages.ts";
import { admin, errorText } from "../api/admin.ts";
import { useCall } from "../api/use-call.ts";
import { Link, paths, setQuery, usePlace } from "../routing/router.tsx";
import { runGrid } from "../runs/run-grid.ts";
import { RunGridView } from "../runs/run-grid-view.tsx";
import { executionState } from "../states/display-state.ts";
import { StateChip } from "../states/state-chip.tsx";
import { agoText, instantText, ms, spanText } from "../time/time-text.ts";

const PAGE = 100;
const GRID_RUNS = 20;
const REFRESH_MS = 3_000;

const STATES: ReadonlyArray<readonly [string, ExecutionState]> = Object.freeze([
  ["queued", ExecutionState.QUEUED],
  ["running", ExecutionState.RUNNING],
  ["succeeded", ExecutionState.SUCCEEDED],
  ["failed", ExecutionState.FAILED],
  ["terminated", ExecutionState.TERMINATED],
]);

export function ExecutionsPage(): ReactNode {
  const { query } = usePlace();
  const workflow = query.get("workflow") ?? "";
  const stateName = query.get("state") ?? "";
  const from = query.get("from") ?? "";
  const to = query.get("to") ?? "";
  const state = STATES.find(([n]) => n === stateName)?.[1] ?? ExecutionState.UNSPECIFIED;

  const workflows = useCall((signal) => admin.listWorkflows({}, { signal }), []);
  const first = useCall((signal) => admin.listExecutions({ workflow, state, limit: PAGE }, { signal }), [workflow, state], REFRESH_MS);
  const [more, setMore] = useState<{ key: string; executions: Execution[]; next: string }>();
  const [moreError, setMoreError] = useState<string>();
  const key = `${workflow}|${state}`;
  const older = more?.key === key ? more : undefined;
  const next = older ? older.next : first.data?.nextPageToken;

  const loadMore = async () => {
    try {
      const r = await admin.listExecutions({ workflow, state, limit: PAGE, pageToken: next });
      setMore({ key, executions: [...(older?.executions ?? []), ...r.executions], next: r.nextPageToken });
    } catch (err) {
      setMoreError(errorText(err));
    }
  };

  const grid = useCall(
    async (signal) => {
      if (!workflow) return undefined;
      const { executions } = await admin.listExecutions({ workflow, limit: GRID_RUNS }, { signal });
      const full = await Promise.all(executions.map((e) => admin.getExecution({ id: e.id }, { signal })));
      return runGrid(full.flatMap((r) => (r.execution ? [r.execution] : [])));
    },
    [workflow],
    REFRESH_MS * 3,
  );

  const rows = useMemo(() => {
    const all = [...(first.data?.executions ?? []), ...(older?.executions ?? [])];
    const lo = from ? Date.parse(`${from}T00:00:00Z`) : Number.NEGATIVE_INFINITY;
    const hi = to ? Date.parse(`${to}T00:00:00Z`) + 86_400_000 : Number.POSITIVE_INFINITY;
    const seen = new Set<string>();
    return all.filter((e) => {
      if (seen.has(e.id)) return false;
      seen.add(e.id);
      const at = ms(e.createdAt) ?? 0;
      return at >= lo && at < hi;
    });
  }, [first.data, older, from, to]);

  return (
    <div className="page" data-testid="executions-page">
      <h1>Executions</h1>
      <div className="filters">
        <label>
          workflow{" "}
          <select value={workflow} onChange={(e) => setQuery({ workflow: e.target.value })} data-testid="filter-workflow">
            <option value="">all</option>
            {(workflows.data?.workflows ?? []).map((w) => (
              <option key={w.name} value={w.name}>
                {w.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          state{" "}
          <select value={stateName} onChange={(e) => setQuery({ state: e.target.value })} data-testid="filter-state">
            <option value="">all</option>
            {STATES.map(([n]) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </label>
        <label>
          created from (UTC) <input type="date" value={from} onChange={(e) => setQuery({ from: e.target.value })} data-testid="filter-from" />
        </label>
        <label>
          to <input type="date" value={to} onChange={(e) => setQuery({ to: e.target.value })} data-testid="filter-to" />
        </label>
      </div>
      {workflow && grid.data && (
        <section>
          <h2>
            Grid: <Link to={paths.workflow(workflow)}>{workflow}</Link>
          </h2>
          <RunGridView grid={grid.data} />
        </section>
      )}
      {first.error && <div className="error">{first.error}</div>}
      <table className="list" data-testid="executions-table">
        <thead>
          <tr>
            <th>execution</th>
            <th>workflow</th>
            <th>state</th>
            <th>created</th>
            <th>duration</th>
            <th>trigger</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((e) => (
            <tr key={e.id} data-testid={`execution-row-${e.id}`}>
              <td>
                <Link to={paths.execution(e.id)}>{e.id}</Link>
              </td>
              <td>
                <Link to={paths.workflow(e.workflow)}>{e.workflow}</Link> <code className="muted small">{e.workflowVersion.slice(0, 8)}</code>
              </td>
              <td>
                <StateChip state={executionState(e.state)} />
              </td>
              <td title={instantText(ms(e.createdAt))}>{agoText(ms(e.createdAt))}</td>
              <td>{spanText(ms(e.startedAt), ms(e.finishedAt))}</td>
              <td className="muted small">
                {e.backfillId ? `backfill ${e.backfillId}` : e.scheduledFor ? `schedule ${instantText(ms(e.scheduledFor))}` : ""}
                {e.recoveredFrom ? `recovers ${e.recoveredFrom}` : ""}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {rows.length === 0 && !first.loading && <p className="muted">No executions match.</p>}
      {moreError && <div className="error">{moreError}</div>}
      {next && (
        <button type="button" onClick={loadMore} data-testid="load-more">
          Load older
        </button>
      )}
    </div>
  );
}
