import { randomUUID } from "node:crypto";
import type { Command } from "commander";
import { RELEASE_STATES } from "../../core/release.js";
import { clientCommand, connectClient, type ConnectionFlags } from "../client/index.js";
import { printJson } from "../client/output.js";
import { printRelease, printReleaseDetail, printReleases } from "../client/release-table.js";
import { watchRelease } from "../client/watch-release.js";
import { UsageError } from "../exit-codes.js";
import { parseNumberFlag } from "../number-flag.js";
import { runCommand } from "../run-command.js";

interface OutputFlags extends ConnectionFlags {
  json?: boolean;
}

interface CreateFlags extends OutputFlags {
  target: string;
  candidate: string;
  stable?: string;
  plan?: string;
  name?: string;
  start?: boolean;
  adopt?: boolean;
  wait?: boolean;
  idempotencyKey?: string;
  ticketUrl?: string;
}

interface ListFlags extends OutputFlags {
  target?: string;
  state?: string;
  limit: string;
}

/** The commands a release takes, with what each does, in the API's words. */
const RELEASE_COMMANDS = {
  start: "Start a pending release",
  approve: "Approve the manual stage the release waits at",
  deny: "Deny the manual stage: roll back",
  pause: "Hold the release at its split",
  resume: "Resume a paused release",
  promote: "Promote the candidate to 100% now",
  cancel: "Cancel: all traffic back to stable",
  rollback: "Roll back now: all traffic back to stable",
} as const;

export function registerReleaseCommand(program: Command): void {
  const release = program.command("release").description("Create, list, follow and drive releases on a Glidepath server");

  clientCommand(release, "create", "Create a release (pending until started, or started at once with --start)")
    .requiredOption("--target <name>", "the target to roll out on")
    .requiredOption("--candidate <version>", "the version to roll out")
    .option("--stable <version>", "the version serving now (default: the one with all the traffic)")
    .option("--plan <name>", "the plan (default: the target's default plan, else standard)")
    .option("--name <name>", "the release's name (default: <target> <candidate>)")
    .option("--start", "start the release at once")
    .option("--adopt", "take over a split between the same two versions that is already live")
    .option("--ticket-url <url>", "the change ticket or pull request this release belongs to; shown with the release")
    .option("--wait", "follow the release to its end, as release watch does, and exit with its outcome")
    .option("--idempotency-key <key>", "a retry with the same key returns the first release instead of making another (default: new each run)")
    .action(runCommand(createRelease));

  clientCommand(release, "list", "List releases, newest first")
    .option("--target <name>", "only this target's")
    .option("--state <states>", `only in these states, separated by commas (${RELEASE_STATES.join(", ")})`)
    .option("--limit <n>", "how many, 1 to 200", "50")
    .action(runCommand(listReleases));

  clientCommand(release, "show <id>", "Show a release: its state, split and stages (--json: the whole detail with checks and events)").action(
    runCommand(async (id: string, flags: OutputFlags) => {
      const { api, team, call } = await connectClient(flags);
      const detail = await call(api.GET("/api/v1/teams/{team}/releases/{release}", { params: { path: { team, release: id } } }));
      if (flags.json) printJson(detail);
      else printReleaseDetail(detail);
    }),
  );

  clientCommand(release, "watch <id>", "Follow a release live until it ends; exits 0 promoted, 3 rolled back, 4 cancelled, 1 failed").action(
    runCommand(async (id: string, flags: OutputFlags) => watchRelease(await connectClient(flags), id, outputMode(flags))),
  );

  for (const [name, description] of Object.entries(RELEASE_COMMANDS)) {
    clientCommand(release, `${name} <id>`, description)
      .option("--reason <text>", "why, for the timeline and the audit log")
      .action(runCommand((id: string, flags: OutputFlags & { reason?: string }) => commandRelease(name as keyof typeof RELEASE_COMMANDS, id, flags)));
  }
}

function outputMode(flags: OutputFlags): "json" | "tty" | "plain" {
  if (flags.json) return "json";
  return process.stdout.isTTY ? "tty" : "plain";
}

async function createRelease(flags: CreateFlags): Promise<number | void> {
  const connection = await connectClient(flags);
  const { api, team, call } = connection;
  const created = await call(
    api.POST("/api/v1/teams/{team}/releases", {
      params: { path: { team }, header: { "idempotency-key": flags.idempotencyKey ?? randomUUID() } },
      body: {
        target: flags.target,
        candidate: flags.candidate,
        stable: flags.stable,
        plan: flags.plan,
        name: flags.name,
        autoStart: flags.start ?? false,
        adopt: flags.adopt ?? false,
        ticketUrl: flags.ticketUrl,
      },
    }),
  );
  if (flags.wait) {
    if (!flags.start) throw new UsageError(`release ${created.id} is pending: --wait needs --start, or start it with glidepath release start ${created.id}`);
    if (!flags.json) process.stdout.write(`created release ${created.name} (${created.id})\n`);
    return watchRelease(connection, created.id, outputMode(flags));
  }
  if (flags.json) printJson(created);
  else printRelease(created);
}

async function listReleases(flags: ListFlags): Promise<void> {
  const limit = parseNumberFlag("--limit", flags.limit, "a whole number from 1 to 200", (n) => Number.isInteger(n) && n >= 1 && n <= 200);
  const { api, team, call } = await connectClient(flags);
  const page = await call(
    api.GET("/api/v1/teams/{team}/releases", { params: { path: { team }, query: { target: flags.target, state: flags.state, limit } } }),
  );
  if (flags.json) printJson(page);
  else printReleases(page.releases);
}

async function commandRelease(name: keyof typeof RELEASE_COMMANDS, id: string, flags: OutputFlags & { reason?: string }): Promise<void> {
  const { api, team, call } = await connectClient(flags);
  const release = await call(
    api.POST(`/api/v1/teams/{team}/releases/{release}/${name}`, {
      params: { path: { team, release: id } },
      body: flags.reason === undefined ? {} : { reason: flags.reason },
    }),
  );
  if (flags.json) printJson(release);
  else process.stdout.write(`${name}: release ${release.name} (${release.id}) is now ${release.state}${release.reason ? ` (${release.reason})` : ""}\n`);
}
