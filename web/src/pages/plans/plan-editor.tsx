import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { useNavigate } from "react-router";
import { api, ApiProblem, unwrap } from "../../api/client";
import { ErrorNotice } from "../../components/error-notice";
import { useTeam } from "../../session/session";
import { builtInNameProblem, checkPlanDocument, type FieldProblem } from "../../../../src/core/plan-check";
import { planKeys, type StoredPlan } from "./plan-data";
import { Field, fieldId, pathOf, Problems } from "./plan-field";
import { toDocument, type PlanDocument, type PlanForm } from "./plan-form";
import { PlanYamlPanel } from "./plan-yaml-panel";
import { PolicySection, PreflightSection, SlosSection, StagesSection } from "./plan-sections";
import { useUnsavedGuard } from "./use-unsaved-guard";

interface PlanEditorProps {
  initial: PlanForm;
  /** The stored plan being edited; none for a new one. */
  stored?: StoredPlan;
  /** The team's plan names, which a new plan may not take. */
  takenNames: string[];
  readOnly: boolean;
}

/**
 * The plan form, checked on every change by the parser the API uses, so each field shows the
 * message the API would answer; beside it, the plan as YAML.
 */
export function PlanEditor({ initial, stored, takenNames, readOnly }: PlanEditorProps) {
  const team = useTeam();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [form, setForm] = useState(initial);
  const [nameTouched, setNameTouched] = useState(false);
  const [savedText, setSavedText] = useState(() => JSON.stringify(toDocument(initial)));
  const document = toDocument(form);
  const { problems: planProblems } = checkPlanDocument(document);

  const save = useMutation({
    mutationFn: (body: PlanDocument) =>
      stored
        ? unwrap(api.PUT("/api/v1/teams/{team}/plans/{plan}", { params: { path: { team: team.slug, plan: stored.name } }, body }))
        : unwrap(api.POST("/api/v1/teams/{team}/plans", { params: { path: { team: team.slug } }, body })),
    onSuccess: async (saved, body) => {
      setSavedText(JSON.stringify(body));
      queryClient.setQueryData(planKeys.one(team.slug, saved.name), saved);
      await queryClient.invalidateQueries({ queryKey: planKeys.all(team.slug), exact: true });
      if (!stored) navigate(`/t/${team.slug}/plans/${saved.name}`, { replace: true, state: { created: true } });
    },
  });

  useUnsavedGuard(!readOnly && JSON.stringify(document) !== savedText, (next) => {
    const state = next.state as { created?: boolean; deleted?: string } | null;
    return Boolean(state?.created || state?.deleted);
  });

  const change = (next: PlanForm) => {
    if (!save.isIdle) save.reset();
    setForm(next);
  };

  const nameProblem = stored ? undefined : newNameProblem(form.name, takenNames);
  const serverProblems = save.error instanceof ApiProblem ? save.error.fields : [];
  // An empty name is not reported before the user has been to the field: a new form would open in red.
  const unnamed = !stored && !nameTouched && form.name === "";
  const shown = dedupe([...planProblems, ...(nameProblem ? [nameProblem] : []), ...serverProblems]).filter((problem) => !(unnamed && problem.field === "body.name"));
  const problems = new Problems(shown);
  const blocking = planProblems.length > 0 || nameProblem !== undefined;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!blocking) save.mutate(document);
  };

  return (
    <div className="plan-editor">
      <form onSubmit={submit} noValidate aria-label={stored ? `Plan ${stored.name}` : "New plan"} className="plan-form">
        {!stored && (
          <Field label="Plan name" path="name" problems={problems} readOnly={readOnly} hint="Lowercase letters, digits and dashes; it appears in URLs and cannot be changed later.">
            {(control) => <input {...control} className="plan-input-name" autoComplete="off" spellCheck={false} value={form.name} onBlur={() => setNameTouched(true)} onChange={(event) => change({ ...form, name: event.target.value })} />}
          </Field>
        )}
        <StagesSection items={form.stages} onChange={(stages) => change({ ...form, stages })} problems={problems} readOnly={readOnly} />
        <SlosSection items={form.slos} onChange={(slos) => change({ ...form, slos })} problems={problems} readOnly={readOnly} />
        <PolicySection policy={form.policy} onChange={(policy) => change({ ...form, policy })} problems={problems} readOnly={readOnly} />
        <PreflightSection items={form.preflight} onChange={(preflight) => change({ ...form, preflight })} problems={problems} readOnly={readOnly} />
        {!readOnly && (
          <div className="plan-save">
            {shown.length > 0 && <ProblemSummary problems={shown} />}
            <ErrorNotice error={save.error} title="Not saved" />
            {save.isSuccess && stored && (
              <p className="notice notice-ok" role="status">
                Saved: revision {save.data.revision}. Releases created from now on use it; running ones keep the plan they started with.
              </p>
            )}
            <div className="plan-save-actions">
              <button type="submit" className="button primary" disabled={blocking || save.isPending} aria-describedby={blocking ? (shown.length > 0 ? "plan-problems-heading" : "plan-unnamed") : undefined}>
                {save.isPending ? "Saving…" : "Save plan"}
              </button>
              {blocking && shown.length === 0 && (
                <span id="plan-unnamed" className="muted small">
                  Name the plan to save it.
                </span>
              )}
            </div>
          </div>
        )}
      </form>
      <PlanYamlPanel document={document} valid={planProblems.length === 0} />
    </div>
  );
}

function newNameProblem(name: string, takenNames: string[]): FieldProblem | undefined {
  if (takenNames.includes(name)) return { field: "body.name", message: `the team already has a plan named ${name}; open it to change it, or choose another name` };
  const builtIn = builtInNameProblem(name);
  return builtIn ? { field: "body.name", message: builtIn } : undefined;
}

function dedupe(problems: FieldProblem[]): FieldProblem[] {
  const seen = new Set<string>();
  return problems.filter((problem) => {
    const key = `${problem.field}\n${problem.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Every problem in one list, each a link to its field; the Save button is described by it while disabled. */
function ProblemSummary({ problems }: { problems: FieldProblem[] }) {
  const focusField = (path: string) => {
    const id = fieldId(path);
    // An item's own problem (an SLO without a threshold) goes to its invalid control, else its first one.
    const target =
      window.document.getElementById(id) ??
      window.document.querySelector<HTMLElement>(`[id^="${id}-"][aria-invalid="true"]`) ??
      window.document.querySelector<HTMLElement>(`[id^="${id}-"]`);
    target?.focus();
  };
  return (
    <div className="notice notice-warn plan-problems">
      <strong id="plan-problems-heading">
        {problems.length === 1 ? "1 problem to fix before saving" : `${problems.length} problems to fix before saving`}
      </strong>
      <ul>
        {problems.map((problem) => {
          const path = pathOf(problem.field);
          return (
            <li key={`${problem.field}\n${problem.message}`}>
              <a
                href={`#${fieldId(path)}`}
                onClick={(event) => {
                  event.preventDefault();
                  focusField(path);
                }}
              >
                {describePath(path)}
              </a>
              : {problem.message}
            </li>
          );
        })}
      </ul>
    </div>
  );
}

const POLICY_LABELS: Record<string, string> = {
  checkInterval: "Check interval",
  failureThreshold: "Failure threshold",
  minRequests: "Minimum requests",
  onMetricsUnavailable: "When metrics are unavailable",
  window: "Check window",
};

const LIST_LABELS: Record<string, { list: string; item: string }> = {
  stages: { list: "Stages", item: "Stage" },
  slos: { list: "SLOs", item: "SLO" },
  preflight: { list: "Preflight probes", item: "Probe" },
};

/** `stages[1].percent` as the form labels it: "Stage 2 percent". */
function describePath(path: string): string {
  if (path === "") return "Plan";
  if (path === "name") return "Plan name";
  const item = /^(stages|slos|preflight)(?:\[(\d+)\])?(?:\.(\w+))?$/.exec(path);
  if (item) {
    const [, list, index, field] = item;
    const labels = LIST_LABELS[list!]!;
    return index === undefined ? labels.list : [`${labels.item} ${Number(index) + 1}`, field].filter(Boolean).join(" ");
  }
  const policy = /^policy\.(\w+)$/.exec(path);
  return (policy && POLICY_LABELS[policy[1]!]) ?? path;
}
