import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { formatReportTable } from "../../simulate/report-table.js";
import { parseScenarioText, ScenarioError, type Scenario } from "../../simulate/scenario.js";
import { POLICY_NAMES, simulate, type PolicyName, type ProgressListener } from "../../simulate/simulate.js";
import { UsageError } from "../exit-codes.js";
import { parseNumberFlag } from "../number-flag.js";
import { resolvePlan } from "../plan-option.js";
import { runCommand } from "../run-command.js";

interface SimulateOptions {
  plan?: string;
  scenario: string;
  runs: string;
  seed: string;
  policies?: string;
  json?: boolean;
}

export function registerSimulateCommand(program: Command) {
  program
    .command("simulate")
    .description("Run many simulated releases in virtual time and compare how rollback policies fare on a scenario.")
    .option("--plan <name|file>", "built-in plan (fast, standard, safe) or a YAML/JSON plan file", "standard")
    .requiredOption("--scenario <file>", "YAML/JSON scenario: traffic, stable and candidate behaviour, metrics lag (see docs/simulate.md)")
    .option("--runs <n>", "simulated releases per policy", "1000")
    .option("--seed <n>", "random seed; the same seed gives the same report", "1")
    .option("--policies <list>", `comma-separated, from ${POLICY_NAMES.join(", ")} (default all)`)
    .option("--json", "print the report as one JSON object")
    .action(
      runCommand(async (options: SimulateOptions) => {
        const plan = resolvePlan({ plan: options.plan });
        const scenario = readScenario(options.scenario);
        const runs = parseNumberFlag("--runs", options.runs, "a whole number above 0", (n) => Number.isInteger(n) && n > 0);
        const seed = parseNumberFlag("--seed", options.seed, "a whole number", Number.isSafeInteger);
        const policies = parsePolicies(options.policies);
        const report = simulate({ plan, scenario, runs, seed, policies }, process.stderr.isTTY ? progressOnStderr() : undefined);
        process.stdout.write(options.json ? `${JSON.stringify(report)}\n` : `${formatReportTable(report)}\n`);
      }),
    );
}

function readScenario(path: string): Scenario {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new UsageError(`--scenario ${path}: cannot read it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  const scenario = parseScenarioText(text, path);
  if (scenario instanceof ScenarioError) throw new UsageError(scenario.message);
  return scenario;
}

function parsePolicies(text: string | undefined): PolicyName[] {
  if (text === undefined) return POLICY_NAMES;
  const names = text.split(",").map((name) => name.trim());
  const unknown = names.filter((name) => !(POLICY_NAMES as string[]).includes(name));
  if (unknown.length > 0) {
    throw new UsageError(`--policies must list names from ${POLICY_NAMES.join(", ")}, got "${text}"`);
  }
  return [...new Set(names)] as PolicyName[];
}

/** Redraws one status line on stderr at most a few times a second; the simulation itself never waits. */
function progressOnStderr(): ProgressListener {
  let lastDrawnAt = 0;
  return (done, total) => {
    const now = Date.now();
    if (done < total && now - lastDrawnAt < 200) return;
    lastDrawnAt = now;
    process.stderr.write(`\rsimulated ${done}/${total} runs${done === total ? "\n" : ""}`);
  };
}
