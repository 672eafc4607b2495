import * as core from "@actions/core";
import { readInputs } from "./inputs.js";
import { runOnServer } from "./run-on-server.js";
import { runStandalone } from "./run-standalone.js";

try {
  const inputs = readInputs();
  await (inputs.mode === "standalone" ? runStandalone(inputs) : runOnServer(inputs));
} catch (error) {
  core.setFailed(error instanceof Error ? error.message : String(error));
}
