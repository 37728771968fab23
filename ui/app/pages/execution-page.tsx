// One execution, live: its graph coloured by state as changes commit (WatchExecution), a wide map
// drawn as one node with its items counted by state (listed, virtualised, when opened), the timeline
// of attempts, the node picked (attempts, worker and devices, inputs, outputs, error, logs) and the
// actions (terminate, recover, clear).
import { type ReactNode, useCallback, useEffect, useMemo, useState } from "react";
import type { CompiledWorkflow, TaskTemplate, WorkerInfo } from "../../../proto/messages.ts";
import { admin } from "../api/admin.ts";
import { useCall } from "../api/use-call.ts";
import { ExecutionActions } from "../execution/execution-actions.tsx";
import { shownExecutionState } from "../execution/live-execution.ts";
import { itemOf, splitMaps } from "../execution/map-items.ts";
import { MapItemsList } from "../execution/map-items-list.tsx";
import { nodeInputs } from "../execution/node-inputs.ts";
import { NodePanel } from "../execution/node-panel.tsx";
import { Timeline } from "../execution/timeline.tsx";
import { useExecutionWatch } from "../execution/use-execution-watch.ts";
import { useNow } from "../execution/use-now.ts";
import { workflowSpec } from "../execution/workflow-specs.ts";
import type { NodeOverlay } from "../graph/graph-node.tsx";
import { preloadLayout } from "../graph/graph-layout.ts";
import { placeNodes } from "../graph/spec-scopes.ts";
import { WorkflowGraph } from "../graph/workflow-graph.tsx";
import { Link, paths, setQuery, usePlace } from "../routing/router.tsx";
import { executionState, isExecutionDone, nodeState } from "../states/display-state.ts";
import { StateChip } from "../states/state-chip.tsx";
import { agoText, instantText, ms, spanText } from "../time/time-text.ts";

export function ExecutionPage(props: { id: string }): ReactNode {
  const { query } = usePlace();
  const selected = query.get("node") ?? undefined;
  const openMap = query.get("map") ?? undefined;
  const [restart, setRestart] = useState(0);
  const watch = useExecutionWatch(props.id, restart);
  // The layout engine's code loads while the execution does, not after it.
  useEffect(() => void preloadLayout(), []);
  const live = watch.live;
  const execution = live?.execution;
  const spec = useCall(
    async (): Promise<CompiledWorkflow | undefined> => (execution ? workflowSpec(execution.workflow, execution.workflowVersion) : undefined),
    [execution?.workflow, execution?.workflowVersion],
  );
  const workers = useCall(async (signal) => new Map<string, WorkerInfo>((await admin.listWorkers({}, { signal })).workers.map((w) => [w.id, w])), [], 10_000);
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
  const toggleMap = useCallback((id: string) => setQuery({ map: new URLSearchParams(location.search).get("map") === id ? undefined : id }), []);
  const select = useCallback((id: string) => setQuery({ node: new URLSearchParams(location.search).get("node") === id ? undefined : id }), []);

  const placed = useMemo(() => (spec.data?.workflow ? placeNodes(spec.data.workflow, spec.data.subworkflows) : undefined), [spec.data]);
  const tasks = useMemo(() => new Map<string, TaskTemplate>((spec.data?.tasks ?? []).map((t) => [t.name, t])), [spec.data]);
  const version = live?.version ?? 0;
  // biome-ignore lint/correctness/useExhaustiveDependencies: live.nodes changes in place; version counts its changes
  const { maps, items, outer } = useMemo(() => splitMaps(live?.nodes.values() ?? []), [version]);

  const overlay = useCallback(
    (id: string): NodeOverlay | undefined => {
      const n = live?.nodes.get(id);
      const m = items.get(id);
      if (!n && !m) return undefined;
      return { state: n ? nodeState(n) : undefined, attempts: n?.attempts.length, counts: m?.counts, items: m?.items.length };
    },
    [live, items],
  );

  const shownState = live ? shownExecutionState(live) : undefined;
  const done = execution ? isExecutionDone(execution.state) : false;
  const now = useNow(!done);

  if (!live || !execution) {
    return (
      <div className="page" data-testid="execution-page">
        <h1>
          <Link to={paths.executions()}>Executions</Link> / {props.id}
        </h1>
        {watch.error ? <div className="error">{watch.error}</div> : <p className="muted">opening…</p>}
      </div>
    );
  }

  const selectedNode = selected ? live.nodes.get(selected) : undefined;
  const selectedItem = selected ? itemOf(selected) : undefined;
  const selectedTask = selected
    ? (() => {
        const p = placed?.get(selectedItem && !placed.has(selected) ? selectedItem.map : selected);
        const t = p?.node.target;
        return t?.case === "task" ? tasks.get(t.value) : t?.case === "map" ? tasks.get(t.value.task) : undefined;
      })()
    : undefined;
  const inputs = selected && placed ? nodeInputs({ execution, nodes: live.nodes, placed }, selected, tasks) : [];
  const openItems = openMap ? items.get(openMap) : undefined;

  return (
    <div className="page" data-testid="execution-page">
      <div className="page-head">
        <h1>
          <Link to={paths.executions()}>Executions</Link> / {execution.id}
        </h1>
        <div className="head-facts">
          <StateChip state={executionState(shownState ?? execution.state)} testId="execution-state" />
          <Link to={paths.workflow(execution.workflow)}>{execution.workflow}</Link>
          <code className="muted small">{execution.workflowVersion.slice(0, 12)}</code>
          <span title={instantText(ms(execution.createdAt))}>created {agoText(ms(execution.createdAt), now)}</span>
          <span>ran {spanText(ms(execution.startedAt) ?? ms(execution.createdAt), ms(execution.finishedAt), now)}</span>
          {execution.backfillId && <span className="muted">backfill {execution.backfillId}</span>}
          {execution.recoveredFrom && (
            <span>
              recovers <Link to={paths.execution(execution.recoveredFrom)}>{execution.recoveredFrom}</Link>
            </span>
          )}
          <span className="muted small" data-testid="live">
            {watch.error ? `reconnecting: ${watch.error}` : watch.ended ? "ended" : "live"}
          </span>
        </div>
        <ExecutionActions id={execution.id} state={execution.state} nodeIds={outer.map((n) => n.nodeId)} onCleared={() => setRestart((n) => n + 1)} />
      </div>
      {execution.error && (
        <div className="execution-error error" data-testid="execution-error">
          <code className="error-code">{execution.error.code}</code>
          {execution.error.nodeId && (
            <>
              {" "}
              in{" "}
              <Link to={paths.execution(execution.id, execution.error.nodeId)} testId="execution-error-node">
                {execution.error.nodeId}
              </Link>
            </>
          )}
          <pre>{execution.error.message}</pre>
        </div>
      )}
      <div className="split">
        <div className="split-main">
          {spec.data ? (
            <WorkflowGraph
              spec={spec.data}
              expanded={expanded}
              onToggle={toggle}
              overlay={overlay}
              overlayVersion={version}
              selected={selectedItem && maps.has(selectedItem.map) ? selectedItem.map : selected}
              onSelect={select}
              openMap={openMap}
              onToggleMap={toggleMap}
            />
          ) : (
            <div className="graph muted">{spec.error ?? "loading the workflow…"}</div>
          )}
          {openMap && openItems && (
            <MapItemsList mapId={openMap} items={openItems} selected={selected} onSelect={select} onClose={() => setQuery({ map: undefined })} />
          )}
          <h2>Timeline</h2>
          <Timeline nodes={outer} start={ms(execution.createdAt) ?? now} now={now} end={ms(execution.finishedAt)} selected={selected} onSelect={select} />
        </div>
        {selected && (
          <NodePanel
            key={selected}
            executionId={execution.id}
            nodeId={selected}
            node={selectedNode}
            task={selectedTask}
            inputs={inputs}
            workers={workers.data ?? new Map()}
            onClose={() => setQuery({ node: undefined })}
          />
        )}
      </div>
    </div>
  );
}
