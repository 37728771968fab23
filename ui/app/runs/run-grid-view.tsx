// The grid of tasks × recent runs (runs/run-grid.ts), each cell a link to that node in that run.
import type { ReactNode } from "react";
import { Link, paths } from "../routing/router.tsx";
import { executionState, stateLabel } from "../states/display-state.ts";
import { StateDot } from "../states/state-chip.tsx";
import { instantText, ms } from "../time/time-text.ts";
import type { GridModel } from "./run-grid.ts";

export function RunGridView(props: { grid: GridModel }): ReactNode {
  const { runs, rows } = props.grid;
  if (runs.length === 0) return <p className="muted">No runs yet.</p>;
  return (
    <div className="grid-scroll">
      <table className="run-grid" data-testid="run-grid">
        <thead>
          <tr>
            <th />
            {runs.map((e) => (
              <th key={e.id} title={`${e.id}\n${instantText(ms(e.createdAt))}`}>
                <Link to={paths.execution(e.id)}>
                  <StateDot state={executionState(e.state)} title={`${e.id}: ${executionState(e.state)}`} />
                </Link>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.nodeId}>
              <th className="grid-node" data-testid={`grid-row-${row.nodeId}`}>
                {row.nodeId}
                {row.flaky && <span className="badge failed-badge">flaky</span>}
                {row.retriedRuns > 0 && <span className="badge retry">retried ×{row.retriedRuns}</span>}
              </th>
              {row.cells.map((c, i) => {
                const e = runs[i]!;
                return (
                  <td key={e.id}>
                    {c && (
                      <Link
                        to={paths.execution(e.id, row.nodeId)}
                        className={`cell state-${c.state}${c.retried ? " retried" : ""}`}
                        title={`${row.nodeId} in ${e.id}: ${stateLabel(c.state)}${c.attempts > 1 ? `, ${c.attempts} attempts` : ""}`}
                        testId={`grid-cell-${row.nodeId}-${e.id}`}
                      >
                        {c.attempts > 1 ? c.attempts : ""}
                      </Link>
                    )}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
