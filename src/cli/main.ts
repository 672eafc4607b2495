import { Command } from "commander";
import { registerDemoCommand } from "./commands/demo.js";
import { registerLoadCommand } from "./commands/load.js";
import { registerLoginCommands } from "./commands/login.js";
import { registerPlanCommand } from "./commands/plan.js";
import { registerProxyCommand } from "./commands/proxy.js";
import { registerReleaseCommand } from "./commands/release.js";
import { registerRolloutCommand } from "./commands/rollout.js";
import { registerSampleServiceCommand } from "./commands/sample-service.js";
import { registerServeCommand } from "./commands/serve.js";
import { registerSimCommand } from "./commands/sim.js";
import { registerSimulateCommand } from "./commands/simulate.js";
import { registerTargetCommand } from "./commands/target.js";
import { registerTokenCommand } from "./commands/token.js";
import { ExitCode } from "./exit-codes.js";

const program = new Command()
  .name("glidepath")
  .description("Gradual deployments that check SLOs at every stage and roll back by themselves.")
  .showHelpAfterError()
  .exitOverride((error) => {
    process.exit(error.exitCode === 0 ? 0 : ExitCode.badInput);
  });

registerDemoCommand(program);
registerRolloutCommand(program);
registerServeCommand(program);
registerProxyCommand(program);
registerSampleServiceCommand(program);
registerLoadCommand(program);
registerSimCommand(program);
registerSimulateCommand(program);
registerLoginCommands(program);
registerReleaseCommand(program);
registerTargetCommand(program);
registerTokenCommand(program);
registerPlanCommand(program);

await program.parseAsync();
