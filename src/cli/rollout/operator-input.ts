import { userInfo } from "node:os";
import { createInterface, emitKeypressEvents } from "node:readline";
import type { Command, StepResult } from "../../core/step.js";

/** Gives a command to the release being followed, in the name of `actor`. */
export type SendCommand = (command: Command, actor: string) => Promise<StepResult>;

/** What a person at the terminal can do while a release runs, by key and by word. */
const COMMANDS: { key: string; word: string; command: Command }[] = [
  { key: "a", word: "approve", command: { type: "approve" } },
  { key: "d", word: "deny", command: { type: "deny" } },
  { key: "p", word: "pause", command: { type: "pause" } },
  { key: "u", word: "resume", command: { type: "resume" } },
  { key: "r", word: "rollback", command: { type: "rollback_now" } },
  { key: "P", word: "promote", command: { type: "promote_now" } },
];

export const KEY_HELP = COMMANDS.map(({ key, word }) => `${key} ${word}`).join("  ");

/**
 * Lets the person running `glidepath rollout` drive the release: single keys on a terminal, or
 * one word per line on a piped standard input (`echo approve | ...` or a script). A command the
 * release refuses is reported through `say`. Returns a function that stops listening.
 */
export function acceptOperatorCommands(sendCommand: SendCommand, say: (line: string) => void): () => void {
  const actor = operatorName();
  const send = (command: Command) =>
    void sendCommand(command, actor).then((result) => {
      if (!result.ok) say(result.error);
    });

  if (process.stdin.isTTY) {
    emitKeypressEvents(process.stdin);
    process.stdin.setRawMode(true);
    const onKey = (_: string, key: { sequence?: string; ctrl?: boolean; name?: string }) => {
      if (key.ctrl && key.name === "c") return void process.kill(process.pid, "SIGINT");
      const match = COMMANDS.find((entry) => entry.key === key.sequence);
      if (match) send(match.command);
    };
    process.stdin.on("keypress", onKey);
    return () => {
      process.stdin.off("keypress", onKey);
      process.stdin.setRawMode(false);
      process.stdin.pause();
    };
  }

  const lines = createInterface({ input: process.stdin });
  lines.on("line", (line) => {
    const word = line.trim();
    if (!word) return;
    const match = COMMANDS.find((entry) => entry.word === word);
    if (match) send(match.command);
    else say(`unknown command "${word}"; use one of ${COMMANDS.map((entry) => entry.word).join(", ")}`);
  });
  return () => lines.close();
}

function operatorName(): string {
  try {
    return `${userInfo().username} (cli)`;
  } catch {
    return "cli";
  }
}
