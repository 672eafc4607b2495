import { useState } from "react";
import { flushSync } from "react-dom";
import { DEFAULT_POLICY } from "../../../../src/core/plan";
import { PLAN_LIMITS } from "../../../../src/core/plan-limits";
import { SLIS } from "../../../../src/core/sli";
import { Field, fieldId, GroupProblems, type ControlProps, type Problems } from "./plan-field";
import { newProbe, newSlo, newStage, type PolicyForm, type ProbeForm, type SloForm, type SloKind, type StageForm } from "./plan-form";

interface ListSectionProps<T> {
  items: T[];
  onChange(items: T[]): void;
  problems: Problems;
  readOnly: boolean;
}

const focusById = (id: string) => document.getElementById(id)?.focus();

interface ListEditing<T> {
  newItem(): T;
  /** The button that adds an item: focus goes there when an item is removed. */
  addButtonId: string;
  /** The id of an item's first control: focus goes there when the item is added. */
  firstControlOf(index: number): string;
  onRemoved?(index: number): void;
}

/** Changing, removing and adding the items of one of the plan's lists, with focus where a keyboard user expects it. */
function listEditing<T>(items: T[], onChange: (items: T[]) => void, { newItem, addButtonId, firstControlOf, onRemoved }: ListEditing<T>) {
  return {
    update: (index: number, patch: Partial<T>) => onChange(items.map((item, i) => (i === index ? { ...item, ...patch } : item))),
    remove: (index: number) => {
      flushSync(() => {
        onChange(items.filter((_, i) => i !== index));
        onRemoved?.(index);
      });
      focusById(addButtonId);
    },
    add: () => {
      flushSync(() => onChange([...items, newItem()]));
      focusById(firstControlOf(items.length));
    },
  };
}

export function StagesSection({ items: stages, onChange, problems, readOnly }: ListSectionProps<StageForm>) {
  const [announcement, setAnnouncement] = useState("");
  const { update, remove, add } = listEditing(stages, onChange, {
    newItem: newStage,
    addButtonId: "add-stage",
    firstControlOf: (index) => fieldId(`stages[${index}].percent`),
    onRemoved: (index) => setAnnouncement(`Stage ${index + 1} removed.`),
  });

  /** Moves a stage and keeps the keyboard on the button that moved it, at the stage's new place. */
  const move = (from: number, to: number) => {
    const reordered = [...stages];
    const [moved] = reordered.splice(from, 1);
    reordered.splice(to, 0, moved!);
    flushSync(() => {
      onChange(reordered);
      setAnnouncement(`Stage ${from + 1} moved to position ${to + 1}.`);
    });
    const direction = to < from ? "up" : "down";
    const edge = direction === "up" ? to === 0 : to === reordered.length - 1;
    focusById(`stage-${to}-move-${edge ? (direction === "up" ? "down" : "up") : direction}`);
  };


  return (
    <section aria-labelledby="stages-heading" className="plan-section">
      <h2 id="stages-heading">Stages</h2>
      <p className="muted small">Percents of traffic on the candidate, strictly increasing, the last one 100. Each stage soaks for its duration (90s, 15m, 1h30m; empty: none), then goes on by itself (auto) or waits for a person’s approval (manual).</p>
      <GroupProblems path="stages" problems={problems} />
      <ol className="plan-items">
        {stages.map((stage, index) => {
          const context = `Stage ${index + 1}`;
          const path = `stages[${index}]`;
          return (
            <li key={stage.key}>
              <fieldset className="plan-item">
                <legend>{context}</legend>
                <div className="plan-item-fields">
                  <Field label="Percent" context={context} path={`${path}.percent`} alsoPaths={[path]} problems={problems} readOnly={readOnly}>
                    {(control) => (
                      <input {...control} type="number" inputMode="decimal" min={0} max={100} step="any" className="plan-input-short" value={stage.percent} onChange={(event) => update(index, { percent: event.target.value })} />
                    )}
                  </Field>
                  <Field label="Soak" context={context} path={`${path}.soak`} problems={problems} readOnly={readOnly}>
                    {(control) => <input {...control} className="plan-input-short" value={stage.soak} placeholder="0s" onChange={(event) => update(index, { soak: event.target.value })} />}
                  </Field>
                  <Field label="Progression" context={context} path={`${path}.progression`} problems={problems} readOnly={readOnly}>
                    {(control) => (
                      <select {...control} value={stage.progression} onChange={(event) => update(index, { progression: event.target.value as StageForm["progression"] })}>
                        <option value="auto">Auto</option>
                        <option value="manual">Manual approval</option>
                      </select>
                    )}
                  </Field>
                </div>
                {!readOnly && (
                  <div className="plan-item-actions">
                    <button type="button" id={`stage-${index}-move-up`} className="button" disabled={index === 0} onClick={() => move(index, index - 1)} aria-label={`Move stage ${index + 1} up`}>
                      ↑ Up
                    </button>
                    <button type="button" id={`stage-${index}-move-down`} className="button" disabled={index === stages.length - 1} onClick={() => move(index, index + 1)} aria-label={`Move stage ${index + 1} down`}>
                      ↓ Down
                    </button>
                    <button type="button" className="button" onClick={() => remove(index)} aria-label={`Remove stage ${index + 1}`}>
                      Remove
                    </button>
                  </div>
                )}
              </fieldset>
            </li>
          );
        })}
      </ol>
      {!readOnly && (
        <button type="button" id="add-stage" className="button" onClick={add}>
          Add stage
        </button>
      )}
      <p role="status" className="visually-hidden">
        {announcement}
      </p>
    </section>
  );
}

const KIND_LABELS: Record<SloKind, string> = {
  sequential: "Sequential test: not worse than stable",
  relative: "Relative to stable: at most a ratio",
  absolute: "Absolute: at most a value",
};

export function SlosSection({ items: slos, onChange, problems, readOnly }: ListSectionProps<SloForm>) {
  const { update, remove, add } = listEditing(slos, onChange, {
    newItem: newSlo,
    addButtonId: "add-slo",
    firstControlOf: (index) => fieldId(`slos[${index}].sli`),
  });
  return (
    <section aria-labelledby="slos-heading" className="plan-section">
      <h2 id="slos-heading">SLOs</h2>
      <p className="muted small">Checked for the candidate and the stable version separately at every check. A failing SLO counts towards a rollback.</p>
      <GroupProblems path="slos" problems={problems} />
      {slos.length === 0 && <p className="muted">No SLOs: checks will pass whatever the candidate does. Add at least one, such as a sequential test of error_rate.</p>}
      <ol className="plan-items">
        {slos.map((slo, index) => {
          const context = `SLO ${index + 1}`;
          const path = `slos[${index}]`;
          const fieldProps = { context, problems, readOnly };
          return (
            <li key={slo.key}>
              <fieldset className="plan-item">
                <legend>{context}</legend>
                <div className="plan-item-fields">
                  <Field label="SLI" path={`${path}.sli`} {...fieldProps}>
                    {(control) => (
                      <select {...control} value={slo.sli} onChange={(event) => update(index, { sli: event.target.value })}>
                        {SLIS.map((sli) => (
                          <option key={sli} value={sli}>
                            {sli}
                          </option>
                        ))}
                      </select>
                    )}
                  </Field>
                  <Field label="Kind" path={`${path}.test`} {...fieldProps}>
                    {(control) => (
                      <select {...control} value={slo.kind} onChange={(event) => update(index, { kind: event.target.value as SloKind })}>
                        {Object.entries(KIND_LABELS).map(([kind, label]) => (
                          <option key={kind} value={kind}>
                            {label}
                          </option>
                        ))}
                      </select>
                    )}
                  </Field>
                  <SloThreshold slo={slo} path={path} onChange={(patch) => update(index, patch)} {...fieldProps} />
                </div>
                {!readOnly && <RemoveItem label={`Remove SLO ${index + 1}`} onRemove={() => remove(index)} />}
              </fieldset>
            </li>
          );
        })}
      </ol>
      {!readOnly && (
        <button type="button" id="add-slo" className="button" onClick={add}>
          Add SLO
        </button>
      )}
    </section>
  );
}

interface SloThresholdProps {
  slo: SloForm;
  path: string;
  context: string;
  problems: Problems;
  readOnly: boolean;
  onChange(patch: Partial<SloForm>): void;
}

/** The fields of the SLO's kind; the item's own problems ("give exactly one of…") show at its threshold. */
function SloThreshold({ slo, path, onChange, ...fieldProps }: SloThresholdProps) {
  const numberInput = (key: "max" | "maxRatioToStable" | "alpha" | "minEffect", placeholder?: string) =>
    (control: ControlProps) => (
      <input {...control} type="number" inputMode="decimal" step="any" min={0} className="plan-input-short" placeholder={placeholder} value={slo[key]} onChange={(event) => onChange({ [key]: event.target.value })} />
    );
  switch (slo.kind) {
    case "absolute":
      return (
        <Field label="Maximum" path={`${path}.max`} alsoPaths={[path]} hint={slo.sli === "error_rate" ? "A fraction: 0.05 is 5% of requests failing." : "Milliseconds."} {...fieldProps}>
          {numberInput("max")}
        </Field>
      );
    case "relative":
      return (
        <Field label="Maximum ratio to stable" path={`${path}.maxRatioToStable`} alsoPaths={[path]} hint="1.5: at most 1.5 × the stable version’s value." {...fieldProps}>
          {numberInput("maxRatioToStable")}
        </Field>
      );
    case "sequential":
      return (
        <>
          <Field label="Alpha" path={`${path}.alpha`} alsoPaths={[path]} hint="The most the chance may be of rolling back a candidate that is no worse, over the whole release. Default 0.01." {...fieldProps}>
            {numberInput("alpha", "0.01")}
          </Field>
          <Field label="Minimum effect" path={`${path}.minEffect`} hint="How much worse still counts as not worse: 0.1 is 10%. Default 0.1." {...fieldProps}>
            {numberInput("minEffect", "0.1")}
          </Field>
        </>
      );
  }
}

export function PolicySection({ policy, onChange, problems, readOnly }: { policy: PolicyForm; onChange(policy: PolicyForm): void; problems: Problems; readOnly: boolean }) {
  const fieldProps = { problems, readOnly };
  const text = (key: Exclude<keyof PolicyForm, "onMetricsUnavailable">, placeholder: string, numeric = false) =>
    (control: ControlProps) => (
      <input
        {...control}
        className="plan-input-short"
        placeholder={placeholder}
        value={policy[key]}
        onChange={(event) => onChange({ ...policy, [key]: event.target.value })}
        {...(numeric && { type: "number", inputMode: "numeric" as const, min: 0, step: 1 })}
      />
    );
  return (
    <section aria-labelledby="policy-heading" className="plan-section">
      <h2 id="policy-heading">Policy</h2>
      <p className="muted small">How often checks run and when failures roll back. An empty field takes the default shown.</p>
      <GroupProblems path="policy" problems={problems} />
      <div className="plan-policy">
        <Field label="Check interval" path="policy.checkInterval" hint={`How often a check runs, from ${PLAN_LIMITS.checkInterval.atLeast} to ${PLAN_LIMITS.checkInterval.atMost}. Default ${DEFAULT_POLICY.checkIntervalSeconds}s.`} {...fieldProps}>
          {text("checkInterval", `${DEFAULT_POLICY.checkIntervalSeconds}s`)}
        </Field>
        <Field label="Failure threshold" path="policy.failureThreshold" hint={`Consecutive failing checks before a rollback. Default ${DEFAULT_POLICY.failureThreshold}.`} {...fieldProps}>
          {text("failureThreshold", String(DEFAULT_POLICY.failureThreshold), true)}
        </Field>
        <Field label="Minimum requests" path="policy.minRequests" hint={`No verdict while a version with traffic has fewer requests in the check window. Default ${DEFAULT_POLICY.minRequests}.`} {...fieldProps}>
          {text("minRequests", String(DEFAULT_POLICY.minRequests), true)}
        </Field>
        <Field label="When metrics are unavailable" path="policy.onMetricsUnavailable" hint="Hold stops the soak clock and keeps the split; roll back moves all traffic back to stable." {...fieldProps}>
          {(control) => (
            <select {...control} value={policy.onMetricsUnavailable} onChange={(event) => onChange({ ...policy, onMetricsUnavailable: event.target.value as PolicyForm["onMetricsUnavailable"] })}>
              <option value="">Default ({DEFAULT_POLICY.onMetricsUnavailable})</option>
              <option value="hold">Hold</option>
              <option value="rollback">Roll back</option>
            </select>
          )}
        </Field>
        <Field label="Check window" path="policy.window" hint={`How far back each check looks, e.g. 5m, at most ${PLAN_LIMITS.window.atMost}. Empty: the whole stage so far. Not allowed with a sequential SLO.`} {...fieldProps}>
          {text("window", "whole stage")}
        </Field>
      </div>
    </section>
  );
}

export function PreflightSection({ items: probes, onChange, problems, readOnly }: ListSectionProps<ProbeForm>) {
  const { update, remove, add } = listEditing(probes, onChange, {
    newItem: newProbe,
    addButtonId: "add-probe",
    firstControlOf: (index) => fieldId(`preflight[${index}].url`),
  });
  if (readOnly && probes.length === 0) return null;
  return (
    <section aria-labelledby="preflight-heading" className="plan-section">
      <h2 id="preflight-heading">Preflight probes</h2>
      <p className="muted small">Optional requests sent to the candidate before it gets any traffic; the release fails unless each answers as expected.</p>
      <GroupProblems path="preflight" problems={problems} />
      <ol className="plan-items">
        {probes.map((probe, index) => {
          const context = `Probe ${index + 1}`;
          const path = `preflight[${index}]`;
          const fieldProps = { context, problems, readOnly };
          return (
            <li key={probe.key}>
              <fieldset className="plan-item">
                <legend>{context}</legend>
                <div className="plan-item-fields">
                  <Field label="URL" path={`${path}.url`} alsoPaths={[path]} {...fieldProps}>
                    {(control) => <input {...control} type="url" className="plan-input-url" placeholder="http://127.0.0.1:8080/health" value={probe.url} onChange={(event) => update(index, { url: event.target.value })} />}
                  </Field>
                  <Field label="Expected status" path={`${path}.expectStatus`} {...fieldProps}>
                    {(control) => <input {...control} type="number" inputMode="numeric" min={100} max={599} className="plan-input-short" placeholder="200" value={probe.expectStatus} onChange={(event) => update(index, { expectStatus: event.target.value })} />}
                  </Field>
                  <Field label="Timeout" path={`${path}.timeout`} {...fieldProps}>
                    {(control) => <input {...control} className="plan-input-short" placeholder="10s" value={probe.timeout} onChange={(event) => update(index, { timeout: event.target.value })} />}
                  </Field>
                </div>
                {!readOnly && <RemoveItem label={`Remove probe ${index + 1}`} onRemove={() => remove(index)} />}
              </fieldset>
            </li>
          );
        })}
      </ol>
      {!readOnly && (
        <button type="button" id="add-probe" className="button" onClick={add}>
          Add probe
        </button>
      )}
    </section>
  );
}

function RemoveItem({ label, onRemove }: { label: string; onRemove(): void }) {
  return (
    <div className="plan-item-actions">
      <button type="button" className="button" onClick={onRemove} aria-label={label}>
        Remove
      </button>
    </div>
  );
}
