import type { Command } from "commander";
import { clientCommand, connectClient, type ConnectionFlags } from "../client/index.js";
import { printJson, printTable } from "../client/output.js";
import { runCommand } from "../run-command.js";

type Flags = ConnectionFlags & { json?: boolean };

export function registerTargetCommand(program: Command): void {
  const target = program.command("target").description("The team's targets: where releases split traffic");

  clientCommand(target, "list", "List the team's targets").action(
    runCommand(async (flags: Flags) => {
      const { api, team, call } = await connectClient(flags);
      const { targets } = await call(api.GET("/api/v1/teams/{team}/targets", { params: { path: { team } } }));
      if (flags.json) return printJson({ targets });
      printTable(
        ["NAME", "PLATFORM", "CONNECTION", "DEFAULT PLAN"],
        targets.map((each) => [each.name, each.platform, each.connection, each.defaultPlan ?? "-"]),
        "no targets",
      );
    }),
  );

  clientCommand(target, "versions <target>", "List the versions a target's platform has, to roll out").action(
    runCommand(async (name: string, flags: Flags) => {
      const { api, team, call } = await connectClient(flags);
      const { versions } = await call(api.GET("/api/v1/teams/{team}/targets/{target}/versions", { params: { path: { team, target: name } } }));
      if (flags.json) return printJson({ versions });
      printTable(["VERSION", "DESCRIPTION"], versions.map((version) => [version.id, version.description ?? ""]), `target ${name} has no versions`);
    }),
  );
}
