import YAML from "yaml";
import { z } from "zod";
import { durationSchema } from "../core/duration.js";
import { describeIssue } from "../core/schema-issues.js";

/** How a version behaves: its error rate and a log-normal latency fitted to its p50 and p99. */
export interface VersionBehaviour {
  errorRate: number;
  latencyMs: { p50: number; p99: number };
}

/** The world a simulated release runs in. Durations are in seconds. */
export interface Scenario {
  traffic: { rps: number; diurnal?: { amplitude: number; periodSeconds: number } };
  stable: VersionBehaviour;
  candidate: VersionBehaviour;
  /** The candidate behaves like stable until this long after the release starts. */
  regressionStartsAfterSeconds: number;
  metrics: { lagSeconds: number; sampling: number };
}


const behaviourSchema = z
  .strictObject({
    errorRate: z.number().min(0, "must be 0 or more").max(1, "must be at most 1"),
    latencyMs: z.strictObject({
      p50: z.number().gt(0, "must be greater than 0"),
      p99: z.number().gt(0, "must be greater than 0"),
    }),
  })
  .refine(({ latencyMs }) => latencyMs.p99 > latencyMs.p50, {
    path: ["latencyMs", "p99"],
    message: "must be greater than latencyMs.p50",
  });

const scenarioSchema = z.strictObject({
  traffic: z
    .strictObject({
      rps: z.number().gt(0, "must be greater than 0").default(200),
      diurnal: z
        .strictObject({
          amplitude: z.number().min(0, "must be 0 or more").max(1, "must be at most 1"),
          period: durationSchema().refine((seconds) => seconds > 0, "must be longer than 0s").default(24 * 3600),
        })
        .optional(),
    })
    .prefault({}),
  stable: behaviourSchema,
  candidate: behaviourSchema,
  regressionStartsAfter: durationSchema().default(0),
  metrics: z
    .strictObject({
      lag: durationSchema().default(0),
      sampling: z.number().gt(0, "must be greater than 0").max(1, "must be at most 1").default(1),
    })
    .prefault({}),
});

export class ScenarioError extends Error {
  override name = "ScenarioError";
}

/** Validates a scenario given as data (already parsed from YAML or JSON). */
export function parseScenario(input: unknown): Scenario | ScenarioError {
  const result = scenarioSchema.safeParse(input);
  if (!result.success) {
    const issues = result.error.issues.map((issue) => describeIssue("scenario", input, issue, scenarioMessage));
    return new ScenarioError(`invalid scenario: ${issues.join("; ")}`);
  }
  const { traffic, stable, candidate, regressionStartsAfter, metrics } = result.data;
  return {
    traffic: {
      rps: traffic.rps,
      ...(traffic.diurnal && { diurnal: { amplitude: traffic.diurnal.amplitude, periodSeconds: traffic.diurnal.period } }),
    },
    stable,
    candidate,
    regressionStartsAfterSeconds: regressionStartsAfter,
    metrics: { lagSeconds: metrics.lag, sampling: metrics.sampling },
  };
}

/** Reads a scenario from YAML or JSON text (JSON is valid YAML). */
export function parseScenarioText(text: string, source = "scenario"): Scenario | ScenarioError {
  const document = YAML.parseDocument(text);
  const [error] = document.errors;
  if (error) return new ScenarioError(`${source} is not valid YAML or JSON: ${error.message.split("\n")[0]}`);
  const scenario = parseScenario(document.toJS());
  return scenario instanceof ScenarioError
    ? new ScenarioError(scenario.message.replace(/^invalid scenario/, `invalid scenario in ${source}`))
    : scenario;
}

/** A value of the wrong type says what type it needs; a missing one that it is required. */
function scenarioMessage(issue: z.core.$ZodIssue, value: unknown): string {
  if (issue.code !== "invalid_type") return issue.message;
  return value === undefined ? "is required" : `must be a ${issue.expected}`;
}
