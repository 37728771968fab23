// What the spec says about one node: its task's interface with every type, its resources, retry,
// cache and timeout policies, how it runs (a module's export or a command) and where it is written.
import { durationMs } from "@bufbuild/protobuf/wkt";
import type { ReactNode } from "react";
import { formatDuration } from "../../../core/duration.ts";
import type { TaskTemplate, Variable } from "../../../proto/messages.ts";
import { TypeView } from "../values/type-view.tsx";
import { resourcesText } from "./graph-node.tsx";
import type { GraphNode } from "./spec-graph.ts";

export function NodeSpecView(props: { g: GraphNode }): ReactNode {
  const { g } = props;
  const task = g.task;
  const src = g.spec.source;
  return (
    <div className="node-spec" data-testid="node-spec">
      <h3>
        {g.id} <span className="badge">{g.kind}</span>
      </h3>
      {src && (
        <div className="muted small">
          {src.file}:{src.line}:{src.column}
        </div>
      )}
      {task && <TaskFacts task={task} />}
      {!task && g.kind === "subworkflow" && <p className="muted">Runs workflow {g.target}; expand it to see its nodes.</p>}
      {!task && g.kind === "branch" && <p className="muted">Expand the branch to see its arms.</p>}
    </div>
  );
}

function TaskFacts(props: { task: TaskTemplate }): ReactNode {
  const t = props.task;
  const runtime =
    t.runtime.case === "node"
      ? `${t.runtime.value.module} → ${t.runtime.value.exportName}`
      : t.runtime.case === "command"
        ? t.runtime.value.command.join(" ")
        : "";
  return (
    <>
      <dl className="facts">
        <div>
          <dt>task</dt>
          <dd>
            {t.name} <code className="muted small">{t.version.slice(0, 12)}</code>
          </dd>
        </div>
        <div>
          <dt>runs</dt>
          <dd>
            <code>{runtime}</code>
          </dd>
        </div>
        <div>
          <dt>resources</dt>
          <dd>{resourcesText(t).join(" · ")}</dd>
        </div>
        <div>
          <dt>retries</dt>
          <dd>
            {t.retries?.attempts ?? 0} user
            {t.retries?.backoff ? `, backoff ${formatDuration(durationMs(t.retries.backoff))}` : ""}
            {t.retries?.systemAttempts ? `, ${t.retries.systemAttempts} system` : ""}
          </dd>
        </div>
        <div>
          <dt>cache</dt>
          <dd>{t.cache?.enabled ? (t.cache.version ? `on (version ${t.cache.version})` : "on (code hash)") : "off"}</dd>
        </div>
        <div>
          <dt>timeout</dt>
          <dd>{t.timeout ? formatDuration(durationMs(t.timeout)) : "none"}</dd>
        </div>
      </dl>
      <Interface title="inputs" vars={t.interface?.inputs ?? []} />
      <Interface title="outputs" vars={t.interface?.outputs ?? []} />
    </>
  );
}

function Interface(props: { title: string; vars: readonly Variable[] }): ReactNode {
  if (props.vars.length === 0) return null;
  return (
    <div className="interface">
      <h4>{props.title}</h4>
      {props.vars.map((v) => (
        <div key={v.name} className="var">
          <code>{v.name}</code>
          <TypeView type={v.type} />
        </div>
      ))}
    </div>
  );
}
