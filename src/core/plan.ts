import { z } from "zod";
import { durationSchema, durationSeconds } from "./duration.js";
import { slugSchema } from "./names.js";
import { PLAN_LIMITS } from "./plan-limits.js";
import { readPlanDocument } from "./plan-text.js";
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


/** A number from JSON or YAML, where 1e400 reads as Infinity and `.nan` as NaN: no field takes those. */
const finiteNumber = () => z.number({ error: (issue) => (typeof issue.input === "number" ? "must be a finite number" : "must be a number") });

const stageSchema = z.strictObject({
  percent: finiteNumber().gt(0, "must be greater than 0").max(100, "must be at most 100").describe("The candidate's share of traffic at this stage, in percent."),
  soak: durationSchema(PLAN_LIMITS.soak).default(0).describe(`How long the stage runs, with its checks, before it may go on; at most ${PLAN_LIMITS.soak.atMost}.`),
  progression: z.enum(["auto", "manual"]).default("auto").describe("auto: go on when the soak passes; manual: wait for a person to approve."),
});

const sloSchema = z
  .strictObject({
    sli: z.enum(SLIS, `must be one of ${SLIS.join(", ")}`).describe("What is measured of each version: its error rate or a latency percentile."),
    max: finiteNumber().min(0, "must be 0 or more").optional().describe("Absolute: the candidate's value may not exceed this (a fraction for error_rate, milliseconds for latency)."),
    maxRatioToStable: finiteNumber().gt(0, "must be greater than 0").optional().describe("Relative: the candidate's value may not exceed this many times the stable version's."),
    test: z.literal("sequential", "must be sequential").optional().describe("A sequential test that the candidate is not worse than the stable version."),
    alpha: finiteNumber().gt(0, "must be greater than 0").max(0.5, "must be at most 0.5").optional().describe("Sequential test: the most the chance may be of rolling back a candidate that is not worse."),
    minEffect: finiteNumber().min(0, "must be 0 or more").max(10, "must be at most 10").optional().describe("Sequential test: how much worse, relatively, still counts as not worse (0.1 is 10%)."),
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
  checkInterval: durationSchema(PLAN_LIMITS.checkInterval)
    .default(DEFAULT_POLICY.checkIntervalSeconds)
    .describe(`How often a check runs; at least ${PLAN_LIMITS.checkInterval.atLeast}, at most ${PLAN_LIMITS.checkInterval.atMost}.`),
  failureThreshold: finiteNumber().int("must be a whole number").min(1, "must be at least 1").default(DEFAULT_POLICY.failureThreshold).describe("Consecutive failing checks before a rollback."),
  minRequests: finiteNumber().int("must be a whole number").min(0, "must be 0 or more").default(DEFAULT_POLICY.minRequests).describe("No verdict while a version with traffic has fewer requests than this in the check window."),
  onMetricsUnavailable: z.enum(["hold", "rollback"], "must be hold or rollback").default(DEFAULT_POLICY.onMetricsUnavailable).describe("hold: stop the soak clock and keep the split; rollback: move all traffic back to stable."),
  window: durationSchema(PLAN_LIMITS.window)
    .optional()
    .describe(`How far back each check looks, at least ${PLAN_LIMITS.window.atLeast}, at most ${PLAN_LIMITS.window.atMost}; by default the whole stage so far. Not with a sequential SLO.`),
});

const probeSchema = z.strictObject({
  url: z.url({ protocol: /^https?$/, error: "must be an http(s) URL" }).max(PLAN_LIMITS.probeUrlCharacters, `must be at most ${PLAN_LIMITS.probeUrlCharacters} characters`),
  expectStatus: finiteNumber().int("must be an HTTP status").min(100, "must be an HTTP status, 100 to 599").max(599, "must be an HTTP status, 100 to 599").default(200),
  timeout: durationSchema(PLAN_LIMITS.probeTimeout).default(10).describe(`How long the probe waits for an answer; at most ${PLAN_LIMITS.probeTimeout.atMost}.`),
});

const planSchema = z.strictObject({
  name: slugSchema.describe("The plan's name: at most 63 lowercase letters, digits and dashes, as it appears in URLs."),
  stages: z
    .array(stageSchema)
    .min(1, "needs at least one stage")
    .max(PLAN_LIMITS.stages, `must have at most ${PLAN_LIMITS.stages} stages`)
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
    .describe(`The stages in order, at most ${PLAN_LIMITS.stages}: percents increase strictly and the last one is 100.`),
  slos: z
    .array(sloSchema)
    .max(PLAN_LIMITS.slos, `must have at most ${PLAN_LIMITS.slos} SLOs`)
    .default([])
    .describe(`Checked for the candidate against the stable version at every check, at most ${PLAN_LIMITS.slos}; give one of max, maxRatioToStable or test: sequential.`),
  policy: policySchema.prefault({}).describe("When checks run and what a failure does."),
  preflight: z
    .array(probeSchema)
    .max(PLAN_LIMITS.probes, `must have at most ${PLAN_LIMITS.probes} probes`)
    .optional()
    .describe(`Requests sent to the candidate before it gets traffic, at most ${PLAN_LIMITS.probes}; the release fails unless each answers as expected.`),
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

/** Enough problems to start fixing: a plan with thousands of bad stages gets a message of a few lines. */
const REPORTED_PROBLEMS = 20;

/**
 * Validates a plan given as data (already parsed from YAML or JSON): the one check of every plan,
 * whether it comes from a file, flags, the API or the dashboard's editor.
 */
export function parsePlan(input: unknown): Plan | PlanError {
  const result = planSchema.safeParse(input);
  if (!result.success) {
    const { issues } = result.error;
    const described = issues.slice(0, REPORTED_PROBLEMS).map((issue) => describeIssue("plan", input, issue));
    const more = issues.length - REPORTED_PROBLEMS;
    return new PlanError(`invalid plan: ${[...described, ...(more > 0 ? [`plan has ${more} more problems, not shown`] : [])].join("; ")}`);
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

/** Reads a plan from YAML or JSON text (JSON is valid YAML); `source` names the text in messages, e.g. its file. */
export function parsePlanText(text: string, source = "plan"): Plan | PlanError {
  const read = readPlanDocument(text);
  if ("problem" in read) return new PlanError(`${source} ${read.problem}`);
  const plan = parsePlan(read.document);
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

/**
 * The same plan with every duration divided by `timeScale`: a demo runs a 45-minute plan in 45
 * seconds. Checks and windows stay at least as long as a plan's may be, so the result is still a plan.
 */
export function compressPlanTime(plan: Plan, timeScale: number): Plan {
  const { windowSeconds, checkIntervalSeconds } = plan.policy;
  return {
    ...plan,
    stages: plan.stages.map((stage) => ({ ...stage, soakSeconds: stage.soakSeconds / timeScale })),
    policy: {
      ...plan.policy,
      checkIntervalSeconds: Math.max(durationSeconds(PLAN_LIMITS.checkInterval.atLeast), checkIntervalSeconds / timeScale),
      ...(windowSeconds !== undefined && { windowSeconds: Math.max(durationSeconds(PLAN_LIMITS.window.atLeast), windowSeconds / timeScale) }),
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
