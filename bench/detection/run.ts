import { fork } from "node:child_process";
import { appendFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { BUILTIN_PLANS } from "../../src/core/builtin-plans.js";
import { POLICY_NAMES } from "../../src/simulate/simulate.js";
import { barChartSvg } from "./bar-chart.js";
import { type CellResult, judgeGoals } from "./goals.js";
import { AA, REGRESSIONS, type Setting, SETTINGS, settingName } from "./grid.js";
import { chartFile, HEADLINE_SETTINGS, markdown } from "./report.js";
import type { Task, TaskResult } from "./worker.js";

/**
 * How fast each policy catches regressions of several kinds, sizes and starting times, and how
 * often it rolls back a healthy candidate: `simulate` over the grid of grid.ts, spread over one
 * child process per core, written to docs/detection.md (with the goals computed from the results),
 * every cell to docs/detection/results.json, and a bar chart per headline setting.
 *
 * A/A cells run BENCH_RUNS releases per policy (2000: the false-rollback goal is judged on them),
 * regression cells BENCH_REGRESSION_RUNS (500: enough for a mean and a 95% catch rate).
 * BENCH_ONLY=<text> simulates only the settings whose name contains the text, and
 * BENCH_SCENARIOS=<name,name> only those scenarios (e.g. "A/A"); either prints the report
 * without touching docs/, for a quick look.
 *
 * Each finished cell is appended to a cache file under bench/detection/.cache (one per plan, seed
 * and run counts), and a run finds there the cells an interrupted one finished: the whole grid
 * takes hours, and can be stopped and started again. BENCH_FRESH=1 clears the cache first, as a
 * change to the code under test must.
 */

const runs = positiveInteger("BENCH_RUNS", process.env.BENCH_RUNS ?? "2000");
const regressionRuns = positiveInteger("BENCH_REGRESSION_RUNS", process.env.BENCH_REGRESSION_RUNS ?? "500");
const seed = positiveInteger("BENCH_SEED", process.env.BENCH_SEED ?? "1");
const workers = positiveInteger("BENCH_WORKERS", process.env.BENCH_WORKERS ?? String(availableParallelism()));
const planName = process.env.BENCH_PLAN ?? "standard";
const only = process.env.BENCH_ONLY;
const scenarioNames = process.env.BENCH_SCENARIOS?.split(",").map((name) => name.trim());
const plan = Object.hasOwn(BUILTIN_PLANS, planName) ? BUILTIN_PLANS[planName]! : undefined;
if (!plan) throw new Error(`BENCH_PLAN must be one of ${Object.keys(BUILTIN_PLANS).join(", ")}, got ${planName}`);

function positiveInteger(name: string, text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a whole number above 0, got ${text}`);
  return value;
}

const DOCS = fileURLToPath(new URL("../../docs/", import.meta.url));
const WORKER = fileURLToPath(new URL("./worker.ts", import.meta.url));
const CACHE_DIR = fileURLToPath(new URL("./.cache/", import.meta.url));
const CACHE = `${CACHE_DIR}cells-${planName}-seed${seed}-runs${runs}-${regressionRuns}.jsonl`;

const settings = SETTINGS.map((setting, index) => ({ setting, index })).filter(({ setting }) => only === undefined || settingName(setting).includes(only));
if (settings.length === 0) throw new Error(`BENCH_ONLY=${only} matches no setting; names look like "${settingName(SETTINGS[0]!)}"`);
const regressions = REGRESSIONS.map((regression, index) => ({ regression, index })).filter(({ regression }) => !scenarioNames || scenarioNames.includes(regression.name));
if (regressions.length === 0) throw new Error(`BENCH_SCENARIOS=${scenarioNames} matches no scenario; they are ${REGRESSIONS.map((r) => r.name).join(", ")}`);
const tasks: Task[] = settings.flatMap(({ index: setting }) =>
  regressions.map(({ regression, index }) => ({ setting, regression: index, runs: regression.kind === AA ? runs : regressionRuns, seed, plan: planName })),
);
const partial = only !== undefined || scenarioNames !== undefined;

if (process.env.BENCH_FRESH === "1") rmSync(CACHE, { force: true });
mkdirSync(CACHE_DIR, { recursive: true });
const taskKey = (task: Pick<Task, "setting" | "regression">) => `${task.setting}:${task.regression}`;
const cached = new Map(
  (existsSync(CACHE) ? readFileSync(CACHE, "utf8").split("\n").filter(Boolean) : []).map((line) => {
    const result = JSON.parse(line) as TaskResult;
    return [taskKey(result.task), result] as const;
  }),
);
const pending = tasks.filter((task) => !cached.has(taskKey(task)));
if (pending.length < tasks.length) process.stderr.write(`${tasks.length - pending.length} scenarios found in ${CACHE}\n`);

const startedAt = performance.now();
const fresh = pending.length === 0 ? [] : await runAll(pending, Math.min(workers, pending.length), (result) => appendFileSync(CACHE, `${JSON.stringify(result)}\n`));
const wallSeconds = (performance.now() - startedAt) / 1000;
const results = [...tasks.flatMap((task) => cached.get(taskKey(task)) ?? []), ...fresh];
const seconds = results.reduce((sum, result) => sum + result.seconds, 0);

const cells: CellResult[] = results.map(({ task, policies }) => ({ setting: SETTINGS[task.setting]!, regression: REGRESSIONS[task.regression]!, policies }));
cells.sort((a, b) => SETTINGS.indexOf(a.setting) - SETTINGS.indexOf(b.setting) || REGRESSIONS.indexOf(a.regression) - REGRESSIONS.indexOf(b.regression));
const goals = judgeGoals(cells);
const text = markdown({ plan, runs, regressionRuns, seed, seconds, cells, goals });
const summary = `${tasks.length} scenarios x ${POLICY_NAMES.length} policies (${pending.length} simulated now) on ${workers} processes in ${wallSeconds.toFixed(0)} s`;

if (partial) {
  process.stdout.write(`${text}\n${summary}\n`);
} else {
  mkdirSync(`${DOCS}detection`, { recursive: true });
  for (const setting of HEADLINE_SETTINGS) writeFileSync(`${DOCS}${chartFile(setting)}`, chart(setting, cells));
  writeFileSync(`${DOCS}detection.md`, text);
  writeFileSync(`${DOCS}detection/results.json`, `${JSON.stringify({ plan: plan.name, runs, seed, cells }, null, 1)}\n`);
  console.log(`${summary}; wrote docs/detection.md and docs/detection/results.json`);
}

/** Simulates every task across `count` child processes, handing each result to `onResult` as it comes, with progress on stderr. */
function runAll(all: Task[], count: number, onResult: (result: TaskResult) => void): Promise<TaskResult[]> {
  const queue = [...all];
  const done: TaskResult[] = [];
  return new Promise((resolve, reject) => {
    for (let i = 0; i < count; i++) {
      const child = fork(WORKER, { execArgv: ["--import", "tsx"], stdio: ["ignore", "inherit", "inherit", "ipc"] });
      const next = () => {
        const task = queue.shift();
        if (task) child.send(task);
        else child.disconnect();
      };
      child.on("message", (result: TaskResult) => {
        done.push(result);
        onResult(result);
        process.stderr.write(`\r${done.length}/${all.length} scenarios simulated`);
        if (done.length === all.length) {
          process.stderr.write("\n");
          resolve(done);
        }
        next();
      });
      child.on("exit", (code) => {
        if (code !== 0) reject(new Error(`a simulation process exited with code ${code}`));
      });
      next();
    }
  });
}

function chart(setting: Setting, all: CellResult[]): string {
  const rows = all.filter((cell) => cell.setting === setting && cell.regression.timing === "from the start");
  return barChartSvg(
    `Mean excess bad requests per release, ${settingName(setting)}`,
    "excess bad requests",
    POLICY_NAMES,
    rows.map((cell) => ({ label: cell.regression.kind, values: cell.policies.map((report) => report.meanExcessBadRequests) })),
  );
}
