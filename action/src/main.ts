import * as core from "@actions/core";
import { readInputs } from "./inputs.js";
import { isPostStep, rememberedStandaloneRelease } from "./post-step.js";
import { runOnServer } from "./run-on-server.js";
import { runStandalone } from "./run-standalone.js";
import { undoUnfinishedRelease } from "./undo-unfinished-release.js";

try {
  const post = isPostStep();
  const inputs = readInputs();
  if (!post) await (inputs.mode === "standalone" ? runStandalone(inputs) : runOnServer(inputs));
  else {
    const remembered = rememberedStandaloneRelease();
    if (inputs.mode === "standalone" && remembered) await undoUnfinishedRelease(inputs, remembered);
  }
} catch (error) {
  core.setFailed(error instanceof Error ? error.message : String(error));
}
