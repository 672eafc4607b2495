import type { ReactNode } from "react";
import type { FieldProblem } from "../../../../src/core/plan-check";

/** The problems of a plan by field, as paths without the API's `body.` prefix: `stages[1].percent`. */
export class Problems {
  private readonly byPath = new Map<string, string[]>();

  constructor(readonly all: FieldProblem[]) {
    for (const problem of all) {
      const path = pathOf(problem.field);
      this.byPath.set(path, [...(this.byPath.get(path) ?? []), problem.message]);
    }
  }

  at(...paths: string[]): string[] {
    return paths.flatMap((path) => this.byPath.get(path) ?? []);
  }
}

export function pathOf(field: string): string {
  return field.replace(/^body\.?/, "");
}

/** The id of the control, or the section, that holds a field. */
export function fieldId(path: string): string {
  return `plan-${path.replace(/[^a-zA-Z0-9]+/g, "-").replace(/-$/, "") || "root"}`;
}

export interface ControlProps {
  id: string;
  "aria-invalid": true | undefined;
  "aria-describedby": string | undefined;
  disabled: boolean;
}

interface FieldProps {
  /** The visible label. */
  label: string;
  /** Said before the label to screen readers only, e.g. "Stage 2" for "Stage 2 percent". */
  context?: string;
  path: string;
  /** Problems of the enclosing item shown here too, e.g. an SLO's "give exactly one of…". */
  alsoPaths?: string[];
  hint?: ReactNode;
  problems: Problems;
  readOnly: boolean;
  children(control: ControlProps): ReactNode;
}

/** A labelled control with its hint and, when the plan is invalid there, the API's message. */
export function Field({ label, context, path, alsoPaths = [], hint, problems, readOnly, children }: FieldProps) {
  const id = fieldId(path);
  const messages = problems.at(path, ...alsoPaths);
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = messages.length > 0 ? `${id}-error` : undefined;
  return (
    <div className="field plan-field">
      <label htmlFor={id}>
        {context && <span className="visually-hidden">{context} </span>}
        {label}
      </label>
      {children({
        id,
        "aria-invalid": messages.length > 0 || undefined,
        "aria-describedby": [errorId, hintId].filter(Boolean).join(" ") || undefined,
        disabled: readOnly,
      })}
      {errorId && (
        <span id={errorId} className="field-error">
          {messages.join("; ")}
        </span>
      )}
      {hint && (
        <span id={hintId} className="field-hint">
          {hint}
        </span>
      )}
    </div>
  );
}

/** Problems of a whole list or item (no stage at all, an SLO with no threshold), shown under its heading. */
export function GroupProblems({ path, problems }: { path: string; problems: Problems }) {
  const messages = problems.at(path);
  if (messages.length === 0) return null;
  return (
    <p id={fieldId(path)} className="field-error" tabIndex={-1}>
      {messages.join("; ")}
    </p>
  );
}
