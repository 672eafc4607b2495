import { createTwoFilesPatch } from "diff";
import YAML from "yaml";
import { formatDuration } from "../../core/duration.js";
import { parsePlan, PlanError, planToInput, type Plan } from "../../core/plan.js";
import type { PlanFile } from "./plan-files.js";

/** A plan the team has on the server. */
export interface RemotePlan {
  name: string;
  revision: number;
  document: Record<string, unknown>;
}

export type PlanChange =
  | { action: "create"; name: string; file: PlanFile; diff: string }
  | { action: "update"; name: string; file: PlanFile; revision: number; diff: string }
  | { action: "unchanged"; name: string; file: PlanFile }
  | { action: "delete"; name: string; revision: number; diff: string };

/**
 * What applying `files` would do to the team's plans: create the new ones, update those whose plan
 * differs, and with `prune`, delete the ones no file names. Plans are compared as the engine reads
 * them, so `soak: 15m` and `soak: 900` are the same plan.
 */
export function planChanges(files: PlanFile[], remote: RemotePlan[], { prune }: { prune: boolean }): PlanChange[] {
  const remoteByName = new Map(remote.map((plan) => [plan.name, plan]));
  const changes: PlanChange[] = files.map((file) => {
    const name = file.plan.name;
    const current = remoteByName.get(name);
    if (!current) return { action: "create", name, file, diff: diffOf(name, "", canonicalYaml(file.plan)) };
    const before = remotePlanYaml(current);
    const after = canonicalYaml(file.plan);
    return before === after ? { action: "unchanged", name, file } : { action: "update", name, file, revision: current.revision, diff: diffOf(name, before, after) };
  });
  if (prune) {
    const named = new Set(files.map((file) => file.plan.name));
    for (const plan of remote) {
      if (!named.has(plan.name)) changes.push({ action: "delete", name: plan.name, revision: plan.revision, diff: diffOf(plan.name, remotePlanYaml(plan), "") });
    }
  }
  return changes;
}

/** A plan as YAML with every default filled in and durations as text: the form two plans are compared in. */
function canonicalYaml(plan: Plan): string {
  const input = planToInput(plan);
  const duration = (seconds: unknown) => (typeof seconds === "number" ? formatDuration(seconds) : seconds);
  return YAML.stringify({
    ...input,
    stages: input.stages.map((stage) => ({ ...stage, soak: duration(stage.soak) })),
    policy: { ...input.policy, checkInterval: duration(input.policy?.checkInterval), ...(input.policy?.window !== undefined && { window: duration(input.policy.window) }) },
    ...(input.preflight && { preflight: input.preflight.map((probe) => ({ ...probe, timeout: duration(probe.timeout) })) }),
  });
}

/** A stored plan the server no longer accepts is shown as its raw document, so the update replaces it. */
function remotePlanYaml(plan: RemotePlan): string {
  const parsed = parsePlan(plan.document);
  return parsed instanceof PlanError ? YAML.stringify(plan.document) : canonicalYaml(parsed);
}

function diffOf(name: string, before: string, after: string): string {
  const patch = createTwoFilesPatch(`server/${name}`, `file/${name}`, before, after, undefined, undefined, { context: 3 });
  return patch.split("\n").slice(2).join("\n").trimEnd();
}
