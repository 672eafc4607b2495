import { formatSplit, normalizeSplit, type Split, splitProblem } from "../../core/split.js";
import type { SplitState } from "./admin-contract.js";
import { createRouter, type Router } from "./router.js";
import { loadSplitFile, saveSplitFile } from "./split-file.js";

/** A split the proxy cannot serve, with the reason; the admin API answers it with 400. */
export class SplitRejectedError extends Error {
  override name = "SplitRejectedError";
}

export interface LiveSplitOptions {
  stateFile: string;
  /** The versions the proxy has upstreams for, in the order they were configured. */
  versions: readonly string[];
  log: (line: string) => void;
  now?: () => Date;
}

const systemClock = () => new Date();

interface Current {
  state: SplitState;
  router: Router;
}

/**
 * The split the proxy serves right now. The state and its router are one immutable value,
 * replaced in a single assignment, so a request reads a consistent pair and keeps it.
 * Changes are saved to the state file before they take effect, one at a time.
 */
export class LiveSplit {
  private pendingChange: Promise<unknown> = Promise.resolve();
  private readonly now: () => Date;

  private constructor(
    private current: Current,
    private readonly options: LiveSplitOptions,
  ) {
    this.now = options.now ?? systemClock;
  }

  /** Loads the saved split, or starts with all traffic on the first version when nothing is saved. */
  static async open(options: LiveSplitOptions): Promise<LiveSplit> {
    const now = options.now ?? systemClock;
    const saved = await loadSplitFile(options.stateFile);
    const state = saved ?? {
      split: [{ version: options.versions[0]!, percent: 100 }],
      updatedAt: now().toISOString(),
      note: "nothing saved yet: all traffic to the first upstream",
    };
    const unknown = state.split.find(({ version }) => !options.versions.includes(version));
    if (unknown) {
      throw new Error(
        `${options.stateFile} sends traffic to ${unknown.version}, which is not an upstream of this proxy; ` +
          `add --upstream ${unknown.version}=URL or remove the file to start with all traffic on ${options.versions[0]}`,
      );
    }
    const problem = splitProblem(state.split);
    if (problem) throw new Error(`${options.stateFile} holds an invalid split (${problem}); fix it or remove it to start over`);
    return new LiveSplit({ state, router: createRouter(state.split) }, options);
  }

  get state(): SplitState {
    return this.current.state;
  }

  get router(): Router {
    return this.current.router;
  }

  /** Why the proxy cannot serve `split`, or undefined when it can. */
  private problemWith(split: Split): string | undefined {
    const unknown = split.find(({ version }) => !this.options.versions.includes(version));
    if (unknown) {
      return `split names version ${unknown.version}, which is not an upstream of this proxy; known versions: ${this.options.versions.join(", ")}`;
    }
    return splitProblem(split);
  }

  /** Saves and then serves `split`; resolves once it is in effect. Throws SplitRejectedError for an invalid split. */
  change(split: Split, note = ""): Promise<SplitState> {
    const problem = this.problemWith(split);
    if (problem) return Promise.reject(new SplitRejectedError(problem));
    const applied = this.pendingChange.then(async () => {
      const state: SplitState = { split: normalizeSplit(split), updatedAt: this.now().toISOString(), note };
      await saveSplitFile(this.options.stateFile, state);
      this.current = { state, router: createRouter(state.split) };
      this.options.log(`split ${formatSplit(state.split)}${note ? ` (${note})` : ""}`);
      return state;
    });
    this.pendingChange = applied.catch(() => undefined);
    return applied;
  }
}
