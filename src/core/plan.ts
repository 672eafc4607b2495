import YAML from "yaml";
import { z } from "zod";
import { durationSchema } from "./duration.js";
import { describeIssue } from "./schema-issues.js";
import { SLIS, type Sli } from "./sli.js";

export type Progression = "auto" | "manual";

export interface Stage {
  /** The candidate's share of traffic at this stage. */
  percent: number;
  soakSeconds: number;
  progression: Progression;
}

export interface SequentialSlo {
  sli: Sli;
  test: "sequential";
  /** The most the chance of rolling back a candidate that is not worse may be, over the whole release. */
  alpha: number;
  /** How much worse, relatively, still counts as not worse: 0.1 lets the candidate be 10% worse. */
  minEffect: number;
}

/** Absolute (`max`), relative to stable (`maxRatioToStable`), or a sequential test against stable. */
export type Slo = { sli: Sli; max: number } | { sli: Sli; maxRatioToStable: number } | SequentialSlo;

export function isSequential(slo: Slo): slo is SequentialSlo {
  return "test" in slo;
}

const SEQUENTIAL_DEFAULTS = { alpha: 0.01, minEffect: 0.1 } as const;

export interface Policy {
  checkIntervalSeconds: number;
  /** Consecutive failing checks before rollback. */
  failureThreshold: number;
  /** No verdict while a version with traffic has fewer requests than this in the check window. */
  minRequests: number;
  onMetricsUnavailable: "hold" | "rollback";
  /** How far back each check looks; without it, a check covers the whole stage so far. */
  windowSeconds?: number;
}

/** A request sent to the candidate before it gets any traffic; the release fails unless it answers as expected. */
export interface Probe {
  url: string;
  expectStatus: number;
  timeoutSeconds: number;
}

export interface Plan {
  name: string;
  stages: Stage[];
  slos: Slo[];
  policy: Policy;
  /** Probes of the candidate before any traffic moves; none when absent. */
  preflight?: Probe[];
}

/** Checks every 15 s: a sequential test may look as often as it likes, and looking often finds a bad candidate sooner. */
export const DEFAULT_POLICY: Policy = {
  checkIntervalSeconds: 15,
  failureThreshold: 3,
  minRequests: 100,
  onMetricsUnavailable: "hold",
};


const positiveDuration = durationSchema.refine((seconds) => seconds > 0, "must be longer than 0s");

const stageSchema = z.strictObject({
  percent: z.number().gt(0, "must be greater than 0").max(100, "must be at most 100").describe("The candidate's share of traffic at this stage, in percent."),
  soak: durationSchema.default(0).describe("How long the stage runs, with its checks, before it may go on."),
  progression: z.enum(["auto", "manual"]).default("auto").describe("auto: go on when the soak passes; manual: wait for a person to approve."),
});

const sloSchema = z
  .strictObject({
    sli: z.enum(SLIS, `must be one of ${SLIS.join(", ")}`).describe("What is measured of each version: its error rate or a latency percentile."),
    max: z.number().min(0, "must be 0 or more").optional().describe("Absolute: the candidate's value may not exceed this (a fraction for error_rate, milliseconds for latency)."),
    maxRatioToStable: z.number().gt(0, "must be greater than 0").optional().describe("Relative: the candidate's value may not exceed this many times the stable version's."),
    test: z.literal("sequential", "must be sequential").optional().describe("A sequential test that the candidate is not worse than the stable version."),
    alpha: z.number().gt(0, "must be greater than 0").max(0.5, "must be at most 0.5").optional().describe("Sequential test: the most the chance may be of rolling back a candidate that is not worse."),
    minEffect: z.number().min(0, "must be 0 or more").max(10, "must be at most 10").optional().describe("Sequential test: how much worse, relatively, still counts as not worse (0.1 is 10%)."),
  })
  .superRefine((slo, ctx) => {
    const kinds = [slo.max, slo.maxRatioToStable, slo.test].filter((value) => value !== undefined).length;
    if (kinds !== 1) {
      ctx.addIssue({
        code: "custom",
        message:
          "give exactly one of max (absolute), maxRatioToStable (relative to the stable version) or test: sequential (not worse than stable)",
      });
    }
    for (const key of ["alpha", "minEffect"] as const) {
      if (slo[key] !== undefined && slo.test === undefined) {
        ctx.addIssue({ code: "custom", path: [key], message: "belongs only to an SLO with test: sequential" });
      }
    }
  });

const policySchema = z.strictObject({
  checkInterval: positiveDuration.default(DEFAULT_POLICY.checkIntervalSeconds).describe("How often a check runs."),
  failureThreshold: z.number().int("must be a whole number").min(1, "must be at least 1").default(DEFAULT_POLICY.failureThreshold).describe("Consecutive failing checks before a rollback."),
  minRequests: z.number().int("must be a whole number").min(0, "must be 0 or more").default(DEFAULT_POLICY.minRequests).describe("No verdict while a version with traffic has fewer requests than this in the check window."),
  onMetricsUnavailable: z.enum(["hold", "rollback"], "must be hold or rollback").default(DEFAULT_POLICY.onMetricsUnavailable).describe("hold: stop the soak clock and keep the split; rollback: move all traffic back to stable."),
  window: positiveDuration.optional().describe("How far back each check looks; by default the whole stage so far. Not with a sequential SLO."),
});

const probeSchema = z.strictObject({
  url: z.url({ protocol: /^https?$/, error: "must be an http(s) URL" }),
  expectStatus: z.number().int("must be an HTTP status").min(100, "must be an HTTP status, 100 to 599").max(599, "must be an HTTP status, 100 to 599").default(200),
  timeout: positiveDuration.default(10),
});

const planSchema = z.strictObject({
  name: z.string().min(1, "must not be empty").describe("The plan's name; saved plans use lowercase letters, digits and dashes."),
  stages: z
    .array(stageSchema)
    .min(1, "needs at least one stage")
    .superRefine((stages, ctx) => {
      const inRange = (percent: number) => percent > 0 && percent <= 100;
      stages.forEach((stage, i) => {
        const previous = stages[i - 1];
        // An out-of-range percent already has its own message; do not report it twice.
        if (previous && inRange(stage.percent) && inRange(previous.percent) && stage.percent <= previous.percent) {
          ctx.addIssue({
            code: "custom",
            path: [i, "percent"],
            message: `must be greater than the previous stage's ${previous.percent}; percents increase strictly`,
          });
        }
      });
      const last = stages.at(-1);
      if (last && inRange(last.percent) && last.percent !== 100) {
        ctx.addIssue({ code: "custom", path: [stages.length - 1, "percent"], message: "the last stage must be 100" });
      }
    })
    .describe("The stages in order: percents increase strictly and the last one is 100."),
  slos: z.array(sloSchema).default([]).describe("Checked for the candidate against the stable version at every check; give one of max, maxRatioToStable or test: sequential."),
  policy: policySchema.prefault({}).describe("When checks run and what a failure does."),
  preflight: z.array(probeSchema).optional().describe("Requests sent to the candidate before it gets traffic; the release fails unless each answers as expected."),
}).superRefine((plan, ctx) => {
  const sequential = plan.slos.findIndex((slo) => slo.test !== undefined);
  if (sequential >= 0 && plan.policy.window !== undefined) {
    ctx.addIssue({
      code: "custom",
      path: ["policy", "window"],
      message: `cannot be combined with the sequential test of slos[${sequential}], which weighs every request of each stage; remove policy.window`,
    });
  }
});

export type PlanInput = z.input<typeof planSchema>;

export class PlanError extends Error {
  override name = "PlanError";
}

/** Validates a plan given as data (already parsed from YAML or JSON). */
export function parsePlan(input: unknown): Plan | PlanError {
  const result = planSchema.safeParse(input);
  if (!result.success) {
    const issues = result.error.issues.map((issue) => describeIssue("plan", input, issue));
    return new PlanError(`invalid plan: ${issues.join("; ")}`);
  }
  const { name, stages, slos, policy, preflight } = result.data;
  return {
    name,
    stages: stages.map(({ percent, soak, progression }) => ({ percent, soakSeconds: soak, progression })),
    slos: slos.map(toSlo),
    policy: {
      checkIntervalSeconds: policy.checkInterval,
      failureThreshold: policy.failureThreshold,
      minRequests: policy.minRequests,
      onMetricsUnavailable: policy.onMetricsUnavailable,
      ...(policy.window !== undefined && { windowSeconds: policy.window }),
    },
    ...(preflight?.length && {
      preflight: preflight.map(({ url, expectStatus, timeout }) => ({ url, expectStatus, timeoutSeconds: timeout })),
    }),
  };
}

function toSlo({ sli, max, maxRatioToStable, test, alpha, minEffect }: z.output<typeof sloSchema>): Slo {
  if (max !== undefined) return { sli, max };
  if (maxRatioToStable !== undefined) return { sli, maxRatioToStable };
  return { sli, test: test!, alpha: alpha ?? SEQUENTIAL_DEFAULTS.alpha, minEffect: minEffect ?? SEQUENTIAL_DEFAULTS.minEffect };
}

/** Reads a plan from YAML or JSON text (JSON is valid YAML). */
export function parsePlanText(text: string, source = "plan"): Plan | PlanError {
  const document = YAML.parseDocument(text);
  const [error] = document.errors;
  if (error) return new PlanError(`${source} is not valid YAML or JSON: ${error.message.split("\n")[0]}`);
  const plan = parsePlan(document.toJS());
  return plan instanceof PlanError ? new PlanError(plan.message.replace(/^invalid plan/, `invalid plan in ${source}`)) : plan;
}

/** The plan as it is written in a file: the inverse of parsePlan. */
export function planToInput(plan: Plan): PlanInput {
  const { checkIntervalSeconds, failureThreshold, minRequests, onMetricsUnavailable, windowSeconds } = plan.policy;
  return {
    name: plan.name,
    stages: plan.stages.map(({ percent, soakSeconds, progression }) => ({ percent, soak: soakSeconds, progression })),
    slos: plan.slos,
    policy: {
      checkInterval: checkIntervalSeconds,
      failureThreshold,
      minRequests,
      onMetricsUnavailable,
      ...(windowSeconds !== undefined && { window: windowSeconds }),
    },
    ...(plan.preflight && {
      preflight: plan.preflight.map(({ url, expectStatus, timeoutSeconds }) => ({ url, expectStatus, timeout: timeoutSeconds })),
    }),
  };
}

/** The same plan with every duration divided by `timeScale`: a demo runs a 45-minute plan in 45 seconds. */
export function compressPlanTime(plan: Plan, timeScale: number): Plan {
  const { windowSeconds, checkIntervalSeconds } = plan.policy;
  return {
    ...plan,
    stages: plan.stages.map((stage) => ({ ...stage, soakSeconds: stage.soakSeconds / timeScale })),
    policy: {
      ...plan.policy,
      checkIntervalSeconds: checkIntervalSeconds / timeScale,
      ...(windowSeconds !== undefined && { windowSeconds: windowSeconds / timeScale }),
    },
  };
}

/** The plan file's JSON Schema, for editors: what a plan may contain, read from the same schema that validates it. */
export function planJsonSchema(): Record<string, unknown> {
  return {
    title: "Glidepath plan",
    description: "How a Glidepath release moves traffic to the candidate: stages, the SLOs checked at each, and the policy.",
    ...z.toJSONSchema(planSchema, { target: "draft-7", io: "input", unrepresentable: "any" }),
  };
}
