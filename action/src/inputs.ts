import * as core from "@actions/core";
import { parseDuration } from "../../src/core/duration.js";

/** What the step was asked to do against a Glidepath server. */
export interface ServerInputs {
  mode: "server";
  serverUrl: string;
  apiToken: string;
  team: string;
  target: string;
  candidate: string;
  plan?: string;
  name?: string;
  autoStart: boolean;
  wait: boolean;
  waitTimeoutSeconds: number;
  ticketUrl?: string;
}

/** What the step was asked to do with no server: the whole rollout inside the job. */
export interface StandaloneInputs {
  mode: "standalone";
  accountId: string;
  cloudflareApiToken: string;
  worker: string;
  candidate: string;
  /** A built-in plan's name or a plan file's path. */
  plan: string;
  name?: string;
  cloudflareApiBaseUrl?: string;
  metricsLagSeconds?: number;
  ticketUrl?: string;
}

export type ActionInputs = ServerInputs | StandaloneInputs;

/** A problem with the step's inputs, told the way the workflow author writes them. */
export class InputError extends Error {
  override name = "InputError";
}

/** Reads the inputs, masking every token before anything else is logged. */
export function readInputs(): ActionInputs {
  for (const secret of ["api-token", "cloudflare-api-token"]) {
    const value = core.getInput(secret);
    if (value) core.setSecret(value);
  }
  const mode = core.getInput("mode") || "server";
  if (mode === "standalone") return readStandaloneInputs();
  if (mode !== "server") throw new InputError(`mode: "${mode}" is not a mode; use "server" (the default) or "standalone"`);
  return readServerInputs();
}

function readServerInputs(): ServerInputs {
  const wait = booleanInput("wait", false);
  return {
    mode: "server",
    serverUrl: httpUrl("server-url", required("server-url", "https://glidepath.example.com")),
    apiToken: required("api-token", "${{ secrets.GLIDEPATH_TOKEN }}"),
    team: core.getInput("team") || "default",
    target: required("target", "checkout"),
    candidate: required("version-id", "${{ steps.upload.outputs.version-id }}"),
    plan: optional("plan"),
    name: optional("name"),
    autoStart: booleanInput("auto-start", false),
    wait,
    waitTimeoutSeconds: durationInput("wait-timeout", 5400),
    ticketUrl: optional("ticket-url"),
  };
}

function readStandaloneInputs(): StandaloneInputs {
  const baseUrl = optional("cloudflare-api-base-url");
  const lag = optional("cloudflare-metrics-lag");
  return {
    mode: "standalone",
    accountId: required("cloudflare-account-id", "${{ vars.CLOUDFLARE_ACCOUNT_ID }}"),
    cloudflareApiToken: required("cloudflare-api-token", "${{ secrets.CLOUDFLARE_API_TOKEN }}"),
    worker: required("worker", "my-worker"),
    candidate: required("version-id", "${{ steps.upload.outputs.version-id }}"),
    plan: core.getInput("plan") || "standard",
    name: optional("name"),
    cloudflareApiBaseUrl: baseUrl === undefined ? undefined : httpUrl("cloudflare-api-base-url", baseUrl),
    metricsLagSeconds: lag === undefined ? undefined : durationInput("cloudflare-metrics-lag", 0),
    ticketUrl: optional("ticket-url"),
  };
}

function optional(name: string): string | undefined {
  return core.getInput(name) || undefined;
}

function required(name: string, example: string): string {
  const value = core.getInput(name);
  if (!value) throw new InputError(`input ${name} is required, e.g. \`${name}: ${example}\``);
  return value;
}

function booleanInput(name: string, fallback: boolean): boolean {
  const value = core.getInput(name).toLowerCase();
  if (value === "") return fallback;
  if (value === "true") return true;
  if (value === "false") return false;
  throw new InputError(`input ${name} is "${value}"; use true or false`);
}

/** A number of seconds or a duration such as 90m. */
function durationInput(name: string, fallback: number): number {
  const value = core.getInput(name);
  if (value === "") return fallback;
  const seconds = parseDuration(value);
  if (seconds instanceof Error) throw new InputError(`input ${name}: ${seconds.message}`);
  return seconds;
}

function httpUrl(name: string, value: string): string {
  const url = URL.canParse(value) ? new URL(value) : undefined;
  if (url?.protocol !== "http:" && url?.protocol !== "https:") throw new InputError(`input ${name}: "${value}" is not an http(s) URL`);
  return value.replace(/\/+$/, "");
}
