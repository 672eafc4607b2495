/**
 * How big a plan may be. Every way a plan comes in (a file, flags, an API body, the dashboard's
 * editor) is checked against these by the same parser, so a plan one of them takes, all take.
 * Each is far beyond what a real rollout needs and small enough that no plan can tie up the
 * server, a metrics source or a terminal.
 */
export const PLAN_LIMITS = {
  /** A plan's text, before it is parsed: a plan at every other limit is still only a few KiB. */
  textBytes: 64 * 1024,
  /** The `yaml` package's alias count: repeating a stage or an SLO is fine, a billion laughs is not. */
  yamlAliases: 100,
  /** Twenty stages allow 5% steps from 5 to 100. */
  stages: 20,
  slos: 20,
  probes: 10,
  /** A stage that soaks longer than a month is a release left running, not a rollout. */
  soak: { atMost: "30d" },
  /**
   * Each check queries the metrics source: more than once a second only spends its quota
   * (Cloudflare's GraphQL allows 300 queries in 5 minutes), and less than once an hour leaves a
   * bad candidate serving for hours before the first check.
   */
  checkInterval: { atLeast: "1s", atMost: "1h" },
  /** A check never looks back past its stage's start, so a window as long as the longest soak is all of one. */
  window: { atLeast: "1s", atMost: "30d" },
  /** A probe that takes more than a minute to answer is failing. */
  probeTimeout: { atLeast: "1ms", atMost: "60s" },
  probeUrlCharacters: 2000,
} as const;
