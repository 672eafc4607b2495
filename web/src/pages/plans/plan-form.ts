import { formatDuration as durationText } from "../../../../src/core/duration";
import type { Progression } from "../../../../src/core/plan";
import { SLIS } from "../../../../src/core/sli";

/**
 * The editor's state: every field as the text the user typed, so a half-typed value stays on
 * screen. `toDocument` turns it into the plan document the API stores and validates.
 */
export interface PlanForm {
  name: string;
  stages: StageForm[];
  slos: SloForm[];
  policy: PolicyForm;
  preflight: ProbeForm[];
}

export interface StageForm {
  key: string;
  percent: string;
  soak: string;
  progression: Progression;
}

export type SloKind = "absolute" | "relative" | "sequential";

export interface SloForm {
  key: string;
  sli: string;
  kind: SloKind;
  max: string;
  maxRatioToStable: string;
  alpha: string;
  minEffect: string;
}

export interface PolicyForm {
  checkInterval: string;
  failureThreshold: string;
  minRequests: string;
  onMetricsUnavailable: "" | "hold" | "rollback";
  window: string;
}

export interface ProbeForm {
  key: string;
  url: string;
  expectStatus: string;
  timeout: string;
}

export type PlanDocument = Record<string, unknown>;

const newKey = () => crypto.randomUUID();

export const newStage = (percent = ""): StageForm => ({ key: newKey(), percent, soak: "", progression: "auto" });

export const newSlo = (): SloForm => ({
  key: newKey(),
  sli: SLIS[0],
  kind: "sequential",
  max: "",
  maxRatioToStable: "",
  alpha: "",
  minEffect: "",
});

export const newProbe = (): ProbeForm => ({ key: newKey(), url: "", expectStatus: "", timeout: "" });

/** A new plan starts as the built-in `standard` plan's stages and SLOs, under no name yet. */
export function starterForm(standard: PlanDocument | undefined): PlanForm {
  if (standard) return { ...toForm(standard), name: "" };
  return { name: "", stages: [newStage("100")], slos: [], policy: toPolicyForm(undefined), preflight: [] };
}

/** The form for a stored document: durations given in seconds are shown as text such as 15m. */
export function toForm(document: PlanDocument): PlanForm {
  return {
    name: typeof document.name === "string" ? document.name : "",
    stages: records(document.stages).map((stage) => ({
      key: newKey(),
      percent: numberText(stage.percent),
      soak: durationField(stage.soak),
      progression: stage.progression === "manual" ? "manual" : "auto",
    })),
    slos: records(document.slos).map((slo) => ({
      key: newKey(),
      sli: typeof slo.sli === "string" ? slo.sli : SLIS[0],
      kind: "test" in slo ? "sequential" : "maxRatioToStable" in slo ? "relative" : "absolute",
      max: numberText(slo.max),
      maxRatioToStable: numberText(slo.maxRatioToStable),
      alpha: numberText(slo.alpha),
      minEffect: numberText(slo.minEffect),
    })),
    policy: toPolicyForm(isRecord(document.policy) ? document.policy : undefined),
    preflight: records(document.preflight).map((probe) => ({
      key: newKey(),
      url: typeof probe.url === "string" ? probe.url : "",
      expectStatus: numberText(probe.expectStatus),
      timeout: durationField(probe.timeout),
    })),
  };
}

function toPolicyForm(policy: PlanDocument | undefined): PolicyForm {
  const unavailable = policy?.onMetricsUnavailable;
  return {
    checkInterval: durationField(policy?.checkInterval),
    failureThreshold: numberText(policy?.failureThreshold),
    minRequests: numberText(policy?.minRequests),
    onMetricsUnavailable: unavailable === "hold" || unavailable === "rollback" ? unavailable : "",
    window: durationField(policy?.window),
  };
}

/** The plan document as a plan file holds it; an empty field is left out, so its default applies. */
export function toDocument(form: PlanForm): PlanDocument {
  const policy = compact({
    checkInterval: duration(form.policy.checkInterval),
    failureThreshold: number(form.policy.failureThreshold),
    minRequests: number(form.policy.minRequests),
    onMetricsUnavailable: form.policy.onMetricsUnavailable || undefined,
    window: duration(form.policy.window),
  });
  return {
    name: form.name,
    stages: form.stages.map((stage) =>
      compact({
        percent: number(stage.percent),
        soak: duration(stage.soak),
        progression: stage.progression === "manual" ? "manual" : undefined,
      }),
    ),
    slos: form.slos.map(sloDocument),
    ...(Object.keys(policy).length > 0 && { policy }),
    ...(form.preflight.length > 0 && {
      preflight: form.preflight.map((probe) =>
        compact({ url: probe.url.trim() || undefined, expectStatus: number(probe.expectStatus), timeout: duration(probe.timeout) }),
      ),
    }),
  };
}

function sloDocument(slo: SloForm): PlanDocument {
  switch (slo.kind) {
    case "absolute":
      return compact({ sli: slo.sli, max: number(slo.max) });
    case "relative":
      return compact({ sli: slo.sli, maxRatioToStable: number(slo.maxRatioToStable) });
    case "sequential":
      return compact({ sli: slo.sli, test: "sequential", alpha: number(slo.alpha), minEffect: number(slo.minEffect) });
  }
}

/** Text to a number for the document; an empty field is left out, anything else is checked by the plan schema. */
function number(text: string): number | undefined {
  return text.trim() === "" ? undefined : Number(text);
}

/** A plain number of seconds is written as a number, anything else as the text given (15m). */
function duration(text: string): string | number | undefined {
  const trimmed = text.trim();
  if (trimmed === "") return undefined;
  return /^\d+(\.\d+)?$/.test(trimmed) ? Number(trimmed) : trimmed;
}

function durationField(value: unknown): string {
  if (typeof value === "number") return value === 0 ? "" : durationText(value);
  return typeof value === "string" ? value : "";
}

function numberText(value: unknown): string {
  return typeof value === "number" ? String(value) : "";
}

function compact(fields: Record<string, unknown>): PlanDocument {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined));
}

function isRecord(value: unknown): value is PlanDocument {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function records(value: unknown): PlanDocument[] {
  return Array.isArray(value) ? value.filter(isRecord) : [];
}
