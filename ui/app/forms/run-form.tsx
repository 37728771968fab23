// Run a workflow: a form generated from its typed interface (a date picker for a date, a number
// field for a number, a list for an enum, a file for a file or a dataframe, JSON for structs, lists
// and maps), checked field by field before anything is sent; then CreateExecution and its page.
import type { FormEvent, ReactNode } from "react";
import { useState } from "react";
import { typeName } from "../../../core/type-names.ts";
import { type Literal, type LiteralType, SimpleType, type Variable } from "../../../proto/messages.ts";
import { admin, errorText } from "../api/admin.ts";
import { navigate, paths } from "../routing/router.tsx";
import { type FieldValue, FieldError, literalFromField } from "../values/form-literal.ts";
import { uploadInput, uploadType } from "./artifact-upload.ts";

export function RunForm(props: { workflow: string; version: string; inputs: readonly Variable[] }): ReactNode {
  const [values, setValues] = useState<Record<string, FieldValue>>({});
  const [files, setFiles] = useState<Record<string, File | undefined>>({});
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [failure, setFailure] = useState<string>();
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setFailure(undefined);
    const found: Record<string, string> = {};
    const ready: Record<string, Literal> = {};
    for (const v of props.inputs) {
      if (!v.type || uploadType(v.type)) continue;
      try {
        ready[v.name] = literalFromField(v.type, values[v.name] ?? defaultValue(v.type));
      } catch (err) {
        found[v.name] = err instanceof FieldError ? err.message : String(err);
      }
    }
    for (const v of props.inputs) {
      if (!v.type || !uploadType(v.type)) continue;
      if (!files[v.name]) {
        if (v.type.type.case === "optional") ready[v.name] = literalFromField(v.type, "");
        else found[v.name] = "choose a file";
      }
    }
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    setBusy(true);
    try {
      // Files go up only once every other field is valid.
      for (const v of props.inputs) {
        const file = files[v.name];
        if (!v.type || !file) continue;
        try {
          ready[v.name] = await uploadInput(file, v.type);
        } catch (err) {
          setErrors({ [v.name]: err instanceof FieldError ? err.message : errorText(err) });
          return;
        }
      }
      const { execution } = await admin.createExecution({ workflow: props.workflow, version: props.version, inputs: { literals: ready } });
      if (execution) navigate(paths.execution(execution.id));
    } catch (err) {
      setFailure(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  const set = (name: string, value: FieldValue) => setValues((v) => ({ ...v, [name]: value }));
  return (
    <form className="run-form" onSubmit={submit} data-testid="run-form" noValidate>
      {props.inputs.length === 0 && <p className="muted">This workflow takes no inputs.</p>}
      {props.inputs.map((v) => (
        <div key={v.name} className={`field${errors[v.name] ? " invalid" : ""}`}>
          <label className="field-name" htmlFor={`field-${v.name}`}>
            {v.name} <code className="muted small">{typeName(v.type)}</code>
          </label>
          {v.type && uploadType(v.type) ? (
            <input
              type="file"
              id={`field-${v.name}`}
              accept={acceptFor(v.type)}
              data-testid={`input-${v.name}`}
              onChange={(e) => setFiles((f) => ({ ...f, [v.name]: e.target.files?.[0] }))}
            />
          ) : (
            <Control type={v.type} name={v.name} value={values[v.name]} onChange={(x) => set(v.name, x)} />
          )}
          {v.description && <span className="muted small">{v.description}</span>}
          {errors[v.name] && (
            <span className="field-error" data-testid={`field-error-${v.name}`}>
              {errors[v.name]}
            </span>
          )}
        </div>
      ))}
      {failure && (
        <div className="error" data-testid="run-error">
          {failure}
        </div>
      )}
      <button type="submit" className="primary" disabled={busy} data-testid="run-submit">
        {busy ? "Starting…" : "Run"}
      </button>
    </form>
  );
}

function defaultValue(type: LiteralType): FieldValue {
  const t = type.type;
  return t.case === "simple" && t.value === SimpleType.BOOLEAN ? false : "";
}

function acceptFor(type: LiteralType): string | undefined {
  const t = uploadType(type)?.type;
  if (t?.case === "dataframe") return ".csv,.arrow,.feather";
  if (t?.case === "blob" && t.value.format) return `.${t.value.format}`;
  return undefined;
}

function Control(props: { type: LiteralType | undefined; name: string; value: FieldValue | undefined; onChange: (v: FieldValue) => void }): ReactNode {
  const testId = `input-${props.name}`;
  const id = `field-${props.name}`;
  let t = props.type?.type;
  const optional = t?.case === "optional";
  if (t?.case === "optional") t = t.value.inner?.type;
  const text = typeof props.value === "string" ? props.value : "";
  const onText = (e: { target: { value: string } }) => props.onChange(e.target.value);
  if (t?.case === "simple") {
    switch (t.value) {
      case SimpleType.DATE:
        return <input type="date" value={text} onChange={onText} id={id} data-testid={testId} />;
      case SimpleType.DATETIME:
        return <input type="datetime-local" step="1" value={text} onChange={onText} id={id} data-testid={testId} />;
      case SimpleType.INTEGER:
        return <input type="number" step="1" value={text} onChange={onText} id={id} data-testid={testId} placeholder={optional ? "optional" : undefined} />;
      case SimpleType.FLOAT:
        return <input type="number" step="any" value={text} onChange={onText} id={id} data-testid={testId} placeholder={optional ? "optional" : undefined} />;
      case SimpleType.BOOLEAN:
        if (optional)
          return (
            <select value={text} onChange={onText} id={id} data-testid={testId}>
              <option value="">none</option>
              <option value="true">true</option>
              <option value="false">false</option>
            </select>
          );
        return <input type="checkbox" checked={props.value === true} onChange={(e) => props.onChange(e.target.checked)} id={id} data-testid={testId} />;
      case SimpleType.DURATION:
        return <input type="text" value={text} onChange={onText} placeholder="1h30m" id={id} data-testid={testId} />;
      default:
        return <input type="text" value={text} onChange={onText} id={id} data-testid={testId} placeholder={optional ? "optional" : undefined} />;
    }
  }
  if (t?.case === "enumType")
    return (
      <select value={text} onChange={onText} id={id} data-testid={testId}>
        <option value="">{optional ? "none" : "choose…"}</option>
        {t.value.values.map((x) => (
          <option key={x} value={x}>
            {x}
          </option>
        ))}
      </select>
    );
  return (
    <textarea
      rows={3}
      value={text}
      onChange={onText}
      id={id}
      data-testid={testId}
      placeholder={t?.case === "collection" ? "[…] as JSON" : t?.case === "map" || t?.case === "struct" ? "{…} as JSON" : "JSON"}
    />
  );
}
