import type { Command } from "commander";
import pc from "picocolors";
import { connectClient, withConnectionOptions, type ConnectionFlags } from "../client/index.js";
import { ExitCode, UsageError } from "../exit-codes.js";
import { applyPlanChange, remotePlans } from "../plans/apply-plans.js";
import { planChanges, type PlanChange } from "../plans/plan-changes.js";
import { readPlanFiles, type PlanFileProblems } from "../plans/plan-files.js";
import { runCommand } from "../run-command.js";

interface ApplyFlags extends ConnectionFlags {
  file: string[];
  prune?: boolean;
  dryRun?: boolean;
  json?: boolean;
}

export function registerPlanCommand(program: Command): void {
  const plan = program.command("plan").description("Plans kept as files in a repository: check them, and make a server's plans match them");

  plan
    .command("lint")
    .description("Check plan files with the server's own rules, without a server")
    .argument("<file...>", "YAML or JSON plan files")
    .option("--json", "print the result as JSON")
    .action(
      runCommand(async (paths: string[], flags: { json?: boolean }) => {
        const { files, invalid } = readPlanFiles(paths);
        if (flags.json) {
          const valid = files.filter((file) => !invalid.some((bad) => bad.path === file.path)).map((file) => ({ path: file.path, plan: file.plan.name }));
          process.stdout.write(`${JSON.stringify({ valid, invalid })}\n`);
        } else {
          for (const file of files) if (!invalid.some((bad) => bad.path === file.path)) process.stdout.write(`${pc.green("ok")} ${file.path}: plan ${file.plan.name}\n`);
          writeProblems(invalid);
        }
        return invalid.length > 0 ? ExitCode.badInput : ExitCode.promoted;
      }),
    );

  withConnectionOptions(
    plan
      .command("apply")
      .description("Create or update the team's plans from files, by name; show what changes")
      .requiredOption("-f, --file <file...>", "YAML or JSON plan files, one plan each")
      .option("--prune", "also delete the team's plans that no file names")
      .option("--dry-run", "show the changes without making them")
      .option("--json", "print the changes as JSON"),
  )
    .addHelpText("after", "\nNothing is sent unless every file is a valid plan. A second run with the same files changes nothing.")
    .action(
      runCommand(async (flags: ApplyFlags) => {
        const { files, invalid } = readPlanFiles(flags.file);
        if (invalid.length > 0) {
          writeProblems(invalid);
          throw new UsageError(`nothing was applied: ${invalid.length} of ${flags.file.length} plan files ${invalid.length === 1 ? "is" : "are"} invalid`);
        }
        const connection = await connectClient(flags);
        const changes = planChanges(files, await remotePlans(connection), { prune: flags.prune ?? false });
        const applied: { change: PlanChange; revision?: number }[] = [];
        for (const change of changes) {
          const revision = flags.dryRun ? undefined : await applyPlanChange(connection, change);
          applied.push({ change, revision });
          if (!flags.json) process.stdout.write(describeChange(change, revision, flags.dryRun ?? false));
        }
        if (flags.json) {
          process.stdout.write(`${JSON.stringify({ dryRun: flags.dryRun ?? false, changes: applied.map(({ change, revision }) => changeJson(change, revision)) })}\n`);
        } else {
          process.stdout.write(`${summarize(changes, flags.dryRun ?? false)}\n`);
        }
      }),
    );
}

function writeProblems(invalid: PlanFileProblems[]): void {
  for (const { path, problems } of invalid) {
    process.stderr.write(`${pc.red("invalid")} ${path}\n${problems.map((problem) => `  ${problem}\n`).join("")}`);
  }
}

const VERBS = { create: ["create", "created"], update: ["update", "updated"], delete: ["delete", "deleted"], unchanged: ["keep", "unchanged"] } as const;

function describeChange(change: PlanChange, revision: number | undefined, dryRun: boolean): string {
  const [would, did] = VERBS[change.action];
  const sign = { create: pc.green("+"), update: pc.yellow("~"), delete: pc.red("-"), unchanged: pc.dim("=") }[change.action];
  const source = change.action === "delete" ? "no file names it" : change.file.path;
  const revisionNote = revision !== undefined && change.action === "update" ? `, revision ${revision}` : "";
  const head = `${sign} ${change.name}: ${dryRun && change.action !== "unchanged" ? `would ${would}` : did} (${source}${revisionNote})\n`;
  return "diff" in change ? `${head}${colorDiff(change.diff)}\n` : head;
}

function colorDiff(diff: string): string {
  return diff
    .split("\n")
    .map((line) => `    ${line.startsWith("+") ? pc.green(line) : line.startsWith("-") ? pc.red(line) : line.startsWith("@@") ? pc.cyan(line) : line}`)
    .join("\n");
}

function summarize(changes: PlanChange[], dryRun: boolean): string {
  const count = (action: PlanChange["action"]) => changes.filter((change) => change.action === action).length;
  if (count("unchanged") === changes.length) {
    return `nothing to change: the team's plans match the ${changes.length} file${changes.length === 1 ? "" : "s"}`;
  }
  const counted = (["create", "update", "delete"] as const).map((action) => `${count(action)} ${dryRun ? `to ${VERBS[action][0]}` : VERBS[action][1]}`);
  const parts = [...counted, `${count("unchanged")} unchanged`].join(", ");
  return dryRun ? `dry run, nothing applied: ${parts}` : `applied: ${parts}`;
}

function changeJson(change: PlanChange, revision: number | undefined) {
  return {
    action: change.action,
    plan: change.name,
    ...(change.action !== "delete" && { file: change.file.path }),
    ...(revision !== undefined && { revision }),
    ...("diff" in change && { diff: change.diff }),
  };
}
