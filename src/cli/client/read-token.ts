import { createInterface } from "node:readline";
import { ExitCode, UsageError } from "../exit-codes.js";

/**
 * The API token typed at a hidden prompt on a terminal, or the first line of standard input
 * otherwise (so `echo $TOKEN | glidepath login` keeps it out of the process list).
 */
export async function readToken(): Promise<string> {
  const token = process.stdin.isTTY ? await promptHidden("API token: ") : await firstLine();
  if (!token) throw new UsageError("no API token given: type it at the prompt, pipe it to standard input, or pass --token");
  return token;
}

async function firstLine(): Promise<string> {
  const lines = createInterface({ input: process.stdin });
  for await (const line of lines) {
    lines.close();
    return line.trim();
  }
  return "";
}

function promptHidden(prompt: string): Promise<string> {
  const stdin = process.stdin;
  process.stderr.write(prompt);
  stdin.setRawMode(true);
  stdin.resume();
  stdin.setEncoding("utf8");
  return new Promise((resolve) => {
    let typed = "";
    const done = () => {
      stdin.off("data", onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write("\n");
    };
    const onData = (chunk: string) => {
      for (const char of chunk) {
        if (char === "\r" || char === "\n" || char === "\u0004") {
          done();
          resolve(typed.trim());
          return;
        }
        if (char === "\u0003") {
          done();
          process.exit(ExitCode.cancelled);
        }
        typed = char === "\u007f" || char === "\b" ? typed.slice(0, -1) : typed + char;
      }
    };
    stdin.on("data", onData);
  });
}
