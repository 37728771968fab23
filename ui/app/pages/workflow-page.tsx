// One workflow: its graph (laid out automatically; each node's resources, retries and cache; an
// edge's types on hover; subworkflows and branches expandable), the node picked in it, the form that
// runs it, a backfill over days when it has a schedule, and the grid of its recent runs.
import { type ReactNode, useCallback, useMemo, useState } from "react";
import type { Execution } from "../../../proto/messages.ts";
import { admin } from "../api/admin.ts";
import { useCall } from "../api/use-call.ts";
import { BackfillForm } from "../forms/backfill-form.tsx";
import { RunForm } from "../forms/run-form.tsx";
import { NodeSpecView } from "../graph/node-spec-view.tsx";
import { specGraph } from "../graph/spec-graph.ts";
import { WorkflowGraph } from "../graph/workflow-graph.tsx";
import { Link, paths, setQuery, usePlace } from "../routing/router.tsx";
import { runGrid } from "../runs/run-grid.ts";
import { RunGridView } from "../runs/run-grid-view.tsx";
import { nextTickAt, triggerText } from "../runs/schedule-text.ts";
import { agoText, instantText, ms } from "../time/time-text.ts";

const GRID_RUNS = 15;

export function WorkflowPage(props: { name: string }): ReactNode {
  const { query } = usePlace();
  const version = query.get("version") ?? "";
  const selected = query.get("node") ?? undefined;
  const wf = useCall((signal) => admin.getWorkflow({ name: props.name, version }, { signal }), [props.name, version]);
  const runs = useCall(
    async (signal): Promise<Execution[]> => {
      const { executions } = await admin.listExecutions({ workflow: props.name, limit: GRID_RUNS }, { signal });
      const full = await Promise.all(executions.map((e) => admin.getExecution({ id: e.id }, { signal })));
      return full.flatMap((r) => (r.execution ? [r.execution] : []));
    },
    [props.name],
    10_000,
  );
  const [expanded, setExpanded] = useState<ReadonlySet<string>>(new Set());
  const toggle = useCallback(
    (id: string) =>
      setExpanded((s) => {
        const next = new Set(s);
        if (!next.delete(id)) next.add(id);
        return next;
      }),
    [],
  );
  const spec = wf.data?.spec;
  const template = spec?.workflow;
  const graph = useMemo(() => (spec ? specGraph(spec, expanded) : undefined), [spec, expanded]);
  const picked = graph?.nodes.find((n) => n.id === selected);
  const grid = useMemo(() => (runs.data ? runGrid(runs.data) : undefined), [runs.data]);
  const versions = useMemo(() => [...new Set((runs.data ?? []).map((e) => e.workflowVersion))], [runs.data]);
  const schedule = template?.schedule;
  const next = schedule ? nextTickAt(schedule) : undefined;

  return (
    <div className="page" data-testid="workflow-page">
      <div className="page-head">
        <h1>
          <Link to={paths.workflows()}>Workflows</Link> / {props.name}
        </h1>
        {template && (
          <div className="head-facts">
            <label>
              version{" "}
              <select value={version} onChange={(e) => setQuery({ version: e.target.value })} data-testid="version-select">
                <option value="">latest ({template.version.slice(0, 12)})</option>
                {versions
                  .filter((v) => v !== template.version || version !== "")
                  .map((v) => (
                    <option key={v} value={v}>
                      {v.slice(0, 12)}
                    </option>
                  ))}
              </select>
            </label>
            <span className="muted" title={instantText(ms(wf.data?.registeredAt))}>
              registered {agoText(ms(wf.data?.registeredAt))}
            </span>
            {schedule && (
              <span data-testid="schedule">
                <code>{triggerText(schedule)}</code> · next {next ? <span title={instantText(next)}>{agoText(next)}</span> : "none"} · catch-up{" "}
                {schedule.catchup ? "on" : "off"} · max active {schedule.maxActiveRuns || "unlimited"}
              </span>
            )}
            <Link to={paths.executions({ workflow: props.name })}>all runs →</Link>
          </div>
        )}
      </div>
      {wf.error && <div className="error">{wf.error}</div>}
      {spec && template && (
        <div className="split">
          <div className="split-main">
            <WorkflowGraph
              spec={spec}
              expanded={expanded}
              onToggle={toggle}
              selected={selected}
              onSelect={(id) => setQuery({ node: id === selected ? undefined : id })}
            />
            {picked && <NodeSpecView g={picked} />}
          </div>
          <aside className="split-side">
            <section className="card">
              <h2>Run</h2>
              <RunForm workflow={props.name} version={version} inputs={template.interface?.inputs ?? []} />
            </section>
            {schedule && (
              <section className="card">
                <h2>Backfill</h2>
                <BackfillForm workflow={props.name} schedule={schedule} />
              </section>
            )}
          </aside>
        </div>
      )}
      <section>
        <h2>Recent runs</h2>
        {runs.error && <div className="error">{runs.error}</div>}
        {grid && <RunGridView grid={grid} />}
      </section>
    </div>
  );
}
