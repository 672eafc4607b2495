import { userInfo } from "node:os";
import { createInterface, emitKeypressEvents } from "node:readline";
import type { Command, StepResult } from "../../core/step.js";

/** Gives a command to the release being followed, in the name of `actor`. */
export type SendCommand = (command: Command, actor: string) => Promise<StepResult>;

/** Where operator input shows what it needs to say: refusals, and a key's question awaiting its answer. */
export interface OperatorDisplay {
  notice(message: string): void;
  /** The question a key asked, until it is answered; undefined once it is. */
  prompt(question: string | undefined): void;
}

interface OperatorCommand {
  key: string;
  word: string;
  command: Command;
  /** Keys that move traffic at once ask this first; `y` confirms. */
  confirm?: string;
}

/** What a person at the terminal can do while a release runs, by key and by word. */
const COMMANDS: OperatorCommand[] = [
  { key: "a", word: "approve", command: { type: "approve" } },
  { key: "d", word: "deny", command: { type: "deny" }, confirm: "deny the stage, rolling back to 100% stable?" },
  { key: "p", word: "pause", command: { type: "pause" } },
  { key: "u", word: "resume", command: { type: "resume" } },
  { key: "r", word: "rollback", command: { type: "rollback_now" }, confirm: "roll back to 100% stable now?" },
  { key: "P", word: "promote", command: { type: "promote_now" }, confirm: "promote the candidate to 100% now?" },
];

export const KEY_HELP = COMMANDS.map(({ key, word }) => `${key} ${word}`).join("  ");

const CONFIRM_KEY = "y";

/**
 * Turns key presses into commands. A key that moves traffic at once (P, r, d: one Shift or one
 * slip from a harmless key) only asks its question; `y` next gives its command, and any other key
 * drops the question without doing anything.
 */
export function keyCommands(send: (command: Command) => void, prompt: OperatorDisplay["prompt"]): (key: string) => void {
  let asking: OperatorCommand | undefined;
  return (key) => {
    if (asking) {
      const confirmed = key === CONFIRM_KEY ? asking : undefined;
      asking = undefined;
      prompt(undefined);
      if (confirmed) send(confirmed.command);
      return;
    }
    const match = COMMANDS.find((entry) => entry.key === key);
    if (!match) return;
    if (!match.confirm) return send(match.command);
    asking = match;
    prompt(`${match.confirm} press ${CONFIRM_KEY} to confirm, any other key to cancel`);
  };
}

/**
 * Lets the person running `glidepath rollout` drive the release: single keys on a terminal, or
 * one word per line on a piped standard input (`echo approve | ...` or a script). A command the
 * release refuses is reported through the display. Returns a function that stops listening.
 */
export function acceptOperatorCommands(sendCommand: SendCommand, display: OperatorDisplay): () => void {
  const actor = operatorName();
  const send = (command: Command) =>
    void sendCommand(command, actor).then((result) => {
      if (!result.ok) display.notice(result.error);
    });

  if (process.stdin.isTTY) {
    emitKeypressEvents(process.stdin);
    process.stdin.setRawMode(true);
    const press = keyCommands(send, (question) => display.prompt(question));
    const onKey = (_: string, key: { sequence?: string; ctrl?: boolean; name?: string }) => {
      if (key.ctrl && key.name === "c") return void process.kill(process.pid, "SIGINT");
      if (key.sequence) press(key.sequence);
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
    else display.notice(`unknown command "${word}"; use one of ${COMMANDS.map((entry) => entry.word).join(", ")}`);
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
