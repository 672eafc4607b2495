import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { inject } from "vitest";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

/**
 * How to start the CLI: the bundle test/support/build-cli.ts made of this run's sources, or,
 * when a run has no such global setup, the sources through tsx.
 */
const bundle = inject("cliBundle");
const CLI: string[] = bundle ? [bundle] : ["--import", "tsx", "src/cli/main.ts"];

/** A glidepath command running as a real process, with its output line by line. */
export interface CliProcess {
  child: ChildProcess;
  lines: string[];
  stderr: string[];
  /** Resolves with the first stdout line (past or future) that matches. */
  waitForLine(match: (line: string) => boolean): Promise<string>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** How to kill each command started and not yet ended. */
const running = new Set<() => void>();

/**
 * Kills, by their own process ids, the commands a test started that are still running: a test
 * that failed or timed out midway leaves none behind to retry against servers that are gone.
 */
export function killStartedCommands(): void {
  for (const kill of running) kill();
}

export interface StartOptions {
  env?: NodeJS.ProcessEnv;
  /** With "pipe" the test can type into the command through child.stdin. */
  stdin?: "ignore" | "pipe";
  /** Node's own flags, such as --import of a module that injects a fault. */
  nodeArgs?: string[];
  /**
   * Run the command on a pseudo-terminal made by util-linux's `script`, as a person at a terminal
   * would: its stdin and stdout are a TTY, child.stdin types keys, and stdout carries the live
   * display's escape sequences. child is `script`, which hangs the command up when it ends.
   */
  terminal?: boolean;
}

/** Starts a command. */
export function startCli(args: string[], { env = {}, stdin = "ignore", nodeArgs = [], terminal = false }: StartOptions = {}): CliProcess {
  const command = [process.execPath, ...nodeArgs, ...CLI, ...args];
  // The terminal `script` makes has no size; the live display wraps its lines to the terminal's width.
  const onTerminal = `stty cols 200 rows 50; exec ${command.map(shellQuote).join(" ")}`;
  const [file, argv] = terminal ? ["script", ["--quiet", "--flush", "--return", "--command", onTerminal, "/dev/null"]] : [command[0]!, command.slice(1)];
  const child = spawn(file, argv, {
    cwd: ROOT,
    env: { ...process.env, ...env, FORCE_COLOR: "0", NO_COLOR: "1" },
    stdio: [terminal ? "pipe" : stdin, "pipe", "pipe"],
    // Its own process group, so that killing it ends the command under `script` too.
    detached: terminal,
  });
  const kill = () => {
    try {
      process.kill(terminal ? -child.pid! : child.pid!, "SIGKILL");
    } catch {
      // It has ended already.
    }
  };
  running.add(kill);
  const lines: string[] = [];
  const stderr: string[] = [];
  const waiters: { match: (line: string) => boolean; resolve: (line: string) => void }[] = [];
  createInterface({ input: child.stdout! }).on("line", (line) => {
    lines.push(line);
    for (const waiter of waiters.filter(({ match }) => match(line))) {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve(line);
    }
  });
  createInterface({ input: child.stderr! }).on("line", (line) => stderr.push(line));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on("close", (code, signal) => {
      running.delete(kill);
      resolve({ code, signal });
    }),
  );
  return {
    child,
    lines,
    stderr,
    exited,
    waitForLine(match) {
      const seen = lines.find(match);
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        waiters.push({ match, resolve });
        void exited.then(() => reject(new Error(`exited before the line came; stdout:\n${lines.join("\n")}\nstderr:\n${stderr.join("\n")}`)));
      });
    },
  };
}

function shellQuote(word: string): string {
  return `'${word.replaceAll("'", "'\\''")}'`;
}

/** Runs a glidepath command to its end. */
export async function runCli(args: string[], env?: NodeJS.ProcessEnv) {
  const cli = startCli(args, { env });
  const { code } = await cli.exited;
  return { code, stdout: cli.lines, stderr: cli.stderr.join("\n") };
}

/** The JSON objects among a command's output lines. */
export function jsonLines(lines: string[]): Record<string, unknown>[] {
  return lines.filter((line) => line.startsWith("{")).map((line) => JSON.parse(line) as Record<string, unknown>);
}
