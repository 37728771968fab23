// Workflows: each registered workflow with its versions, its schedule (trigger, next tick,
// catch-up, max active runs) and the states of its last runs.
import { timestampMs } from "@bufbuild/protobuf/wkt";
import type { ReactNode } from "react";
import type { Execution, WorkflowSummary } from "../../../proto/messages.ts";
import { admin } from "../api/admin.ts";
import { useCall } from "../api/use-call.ts";
import { Link, paths } from "../routing/router.tsx";
import { nextTickAt, triggerText } from "../runs/schedule-text.ts";
import { executionState } from "../states/display-state.ts";
import { StateDot } from "../states/state-chip.tsx";
import { agoText, instantText, ms } from "../time/time-text.ts";

const LAST_RUNS = 10;
const REFRESH_MS = 5_000;

interface Row {
  summary: WorkflowSummary;
  runs: Execution[];
}

export function WorkflowsPage(): ReactNode {
  const { data, error } = useCall(
    async (signal): Promise<Row[]> => {
      const { workflows } = await admin.listWorkflows({}, { signal });
      return Promise.all(
        workflows.map(async (summary) => {
          const { executions } = await admin.listExecutions({ workflow: summary.name, limit: LAST_RUNS }, { signal });
          return { summary, runs: executions };
        }),
      );
    },
    [],
    REFRESH_MS,
  );
  return (
    <div className="page" data-testid="workflows-page">
      <h1>Workflows</h1>
      {error && <div className="error">{error}</div>}
      {data && data.length === 0 && (
        <p className="muted">
          Nothing registered yet: <code>weir register &lt;project&gt;</code> or <code>weir run &lt;project&gt;</code>.
        </p>
      )}
      {data && data.length > 0 && (
        <table className="list" data-testid="workflows-table">
          <thead>
            <tr>
              <th>workflow</th>
              <th>version</th>
              <th>schedule</th>
              <th>next tick</th>
              <th>catch-up</th>
              <th>max active</th>
              <th>last runs</th>
              <th>registered</th>
            </tr>
          </thead>
          <tbody>
            {[...data]
              .sort((a, b) => a.summary.name.localeCompare(b.summary.name))
              .map(({ summary, runs }) => (
                <WorkflowRow key={summary.name} summary={summary} runs={runs} />
              ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

function WorkflowRow(props: Row): ReactNode {
  const { summary, runs } = props;
  const s = summary.schedule;
  const next = s ? nextTickAt(s) : undefined;
  const registered = ms(summary.registeredAt);
  // Oldest first, so the newest run is at the right, as in the grid.
  const ordered = [...runs].sort((a, b) => (a.createdAt ? timestampMs(a.createdAt) : 0) - (b.createdAt ? timestampMs(b.createdAt) : 0));
  return (
    <tr data-testid={`workflow-row-${summary.name}`}>
      <td>
        <Link to={paths.workflow(summary.name)} testId={`workflow-link-${summary.name}`}>
          <strong>{summary.name}</strong>
        </Link>
      </td>
      <td>
        <code title={summary.latestVersion}>{summary.latestVersion.slice(0, 12)}</code>
        <span className="muted small">
          {" "}
          {summary.versions} version{summary.versions === 1 ? "" : "s"}
        </span>
      </td>
      <td>{s ? <code>{triggerText(s)}</code> : <span className="muted">manual</span>}</td>
      <td title={next ? instantText(next) : undefined}>{s ? (next ? agoText(next) : "none left") : "—"}</td>
      <td>{s ? (s.catchup ? "yes" : "no") : "—"}</td>
      <td>{s?.maxActiveRuns ? s.maxActiveRuns : "—"}</td>
      <td className="dots" data-testid={`last-runs-${summary.name}`}>
        {ordered.map((e) => (
          <Link key={e.id} to={paths.execution(e.id)} title={`${e.id}: ${executionState(e.state)}`}>
            <StateDot state={executionState(e.state)} title={`${e.id}: ${executionState(e.state)}`} />
          </Link>
        ))}
        {runs.length === 0 && <span className="muted small">no runs</span>}
      </td>
      <td title={instantText(registered)}>{agoText(registered)}</td>
    </tr>
  );
}
