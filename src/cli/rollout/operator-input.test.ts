import { describe, expect, it } from "vitest";
import type { Command } from "../../core/step.js";
import { keyCommands } from "./operator-input.js";

function pressing(...keys: string[]) {
  const sent: Command["type"][] = [];
  const prompts: (string | undefined)[] = [];
  const press = keyCommands(
    (command) => sent.push(command.type),
    (question) => prompts.push(question),
  );
  for (const key of keys) press(key);
  return { sent, prompts };
}

describe("keys at the terminal", () => {
  it("give a command that moves no traffic at one press", () => {
    expect(pressing("a").sent).toEqual(["approve"]);
    expect(pressing("p", "u").sent).toEqual(["pause", "resume"]);
    expect(pressing("p").prompts).toEqual([]);
  });

  it.each([
    ["P", "promote_now", "promote the candidate to 100% now? press y to confirm, any other key to cancel"],
    ["r", "rollback_now", "roll back to 100% stable now? press y to confirm, any other key to cancel"],
    ["d", "deny", "deny the stage, rolling back to 100% stable? press y to confirm, any other key to cancel"],
  ])("ask before %s moves traffic, and give it on y", (key, command, question) => {
    expect(pressing(key)).toEqual({ sent: [], prompts: [question] });
    expect(pressing(key, "y")).toEqual({ sent: [command], prompts: [question, undefined] });
  });

  it("drop the question on any other key, doing nothing, even a key that is a command itself", () => {
    expect(pressing("P", "n")).toEqual({ sent: [], prompts: [expect.stringContaining("promote"), undefined] });
    expect(pressing("P", "p").sent).toEqual([]);
    expect(pressing("r", "r").sent).toEqual([]);
    expect(pressing("P", "Y").sent).toEqual([]);
  });

  it("take a command again after a question was answered", () => {
    expect(pressing("P", "n", "P", "y", "a").sent).toEqual(["promote_now", "approve"]);
  });

  it("ignore keys that are no command", () => {
    expect(pressing("x", "y", "Q")).toEqual({ sent: [], prompts: [] });
  });
});
