import { useQuery } from "@tanstack/react-query";
import YAML from "yaml";
import { parsePlan, PlanError } from "../../../../src/core/plan";
import { api, unwrap, type Schemas } from "../../api/client";
import { formatDuration } from "../../../../src/core/duration";
import type { PlanDocument } from "./plan-form";

export type StoredPlan = Schemas["Plan"];

export const planKeys = {
  all: (team: string) => ["teams", team, "plans"] as const,
  one: (team: string, plan: string) => ["teams", team, "plans", plan] as const,
};

/** The built-in plans, then the team's, by name. */
export function usePlans(team: string) {
  return useQuery({
    queryKey: planKeys.all(team),
    queryFn: () => unwrap(api.GET("/api/v1/teams/{team}/plans", { params: { path: { team } } })),
  });
}

export function usePlan(team: string, plan: string | undefined) {
  return useQuery({
    queryKey: planKeys.one(team, plan ?? ""),
    queryFn: () => unwrap(api.GET("/api/v1/teams/{team}/plans/{plan}", { params: { path: { team, plan: plan! } } })),
    enabled: plan !== undefined,
  });
}

export interface PlanSummary {
  /** "5% → 25% → 50% → 100%" */
  stages: string;
  totalSoak: string;
  manualStages: number;
  slos: number;
}

/** A plan at a glance, or the reason its document no longer parses. */
export function summarizePlan(document: PlanDocument): PlanSummary | PlanError {
  const plan = parsePlan(document);
  if (plan instanceof PlanError) return plan;
  return {
    stages: plan.stages.map((stage) => `${stage.percent}%`).join(" → "),
    totalSoak: formatDuration(plan.stages.reduce((total, stage) => total + stage.soakSeconds, 0)),
    manualStages: plan.stages.filter((stage) => stage.progression === "manual").length,
    slos: plan.slos.length,
  };
}

/** The document as a plan file in a repository: each stage, SLO and probe on one line, as in the README. */
export function planYaml(document: PlanDocument): string {
  const yaml = new YAML.Document(document);
  YAML.visit(yaml, {
    Map(_, map, path) {
      // path ends with the list holding this map (a stage, an SLO or a probe) and that list's pair.
      if (path.length === 4 && YAML.isSeq(path.at(-1))) map.flow = true;
    },
  });
  return yaml.toString({ lineWidth: 0 });
}
