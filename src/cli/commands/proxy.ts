import { type Command, Option } from "commander";
import { formatSplit } from "../../core/split.js";
import { startProxy } from "../../platforms/local/proxy.js";
import { type HostPort, parseHostPort } from "../../support/listen.js";
import { UsageError } from "../exit-codes.js";
import { runCommand } from "../run-command.js";
import { onStopSignal } from "../stop-signal.js";

interface ProxyFlags {
  listen: string;
  admin: string;
  upstream?: string[];
  state: string;
  adminToken?: string;
}

const UPSTREAM_EXAMPLE = "--upstream v1=http://127.0.0.1:9001 --upstream v2=http://127.0.0.1:9002";

export function registerProxyCommand(program: Command): void {
  program
    .command("proxy")
    .description("Run the reverse proxy that splits traffic between versions by weight (the local platform), with its admin API")
    .option("--listen <host:port>", "address for traffic", "127.0.0.1:8080")
    .option("--admin <host:port>", "address of the admin API", "127.0.0.1:9901")
    .option(
      "--upstream <version=url>",
      "a version and the base URL that serves it; repeat for each version (the first one gets all traffic until a split is saved)",
      (value: string, previous: string[] = []) => [...previous, value],
    )
    .option("--state <file>", "where the split is saved, so that it survives a restart", ".glidepath/proxy-split.json")
    .addOption(
      new Option("--admin-token <token>", "require Authorization: Bearer <token> on the admin API (all but /healthz)").env("GLIDEPATH_PROXY_ADMIN_TOKEN"),
    )
    .action(
      runCommand(async (flags: ProxyFlags) => {
        const upstreams = parseUpstreams(flags.upstream ?? []);
        const proxy = await startProxy({
          listen: hostPortFlag("--listen", flags.listen),
          admin: hostPortFlag("--admin", flags.admin),
          upstreams,
          stateFile: flags.state,
          adminToken: flags.adminToken || undefined,
        });
        const tokenNote = flags.adminToken ? " (bearer token required)" : "";
        process.stdout.write(`glidepath proxy: traffic on ${urlOf(proxy.proxyAddress)}, admin API on ${urlOf(proxy.adminAddress)}${tokenNote}\n`);
        for (const [version, url] of upstreams) process.stdout.write(`  ${version} -> ${url}\n`);
        const { split, note } = proxy.currentSplit();
        process.stdout.write(`split ${formatSplit(split)}${note ? ` (${note})` : ""}\n`);

        const signal = await new Promise<NodeJS.Signals>((resolve) => onStopSignal(resolve));
        process.stdout.write(`${signal}: stopping once the requests under way have finished\n`);
        await proxy.close();
      }),
    );
}

function hostPortFlag(flag: string, text: string): HostPort {
  const parsed = parseHostPort(text);
  if (parsed instanceof Error) throw new UsageError(`${flag}: ${parsed.message}`);
  return parsed;
}

/** Reads each "version=url", in the order given. */
export function parseUpstreams(values: readonly string[]): Map<string, string> {
  if (values.length === 0) throw new UsageError(`glidepath proxy needs an --upstream for each version, e.g. ${UPSTREAM_EXAMPLE}`);
  const upstreams = new Map<string, string>();
  for (const value of values) {
    const match = /^([A-Za-z0-9][A-Za-z0-9._-]*)=(.+)$/.exec(value);
    if (!match) throw new UsageError(`--upstream ${value} is not VERSION=URL; for example ${UPSTREAM_EXAMPLE}`);
    const version = match[1]!;
    const url = match[2]!;
    if (!isHttpUrl(url)) throw new UsageError(`--upstream ${value}: ${url} is not an http(s) URL without query or fragment, e.g. http://127.0.0.1:9001`);
    if (upstreams.has(version)) throw new UsageError(`--upstream ${version} is given twice; give each version once`);
    upstreams.set(version, url);
  }
  return upstreams;
}

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return (url.protocol === "http:" || url.protocol === "https:") && url.search === "" && url.hash === "";
  } catch {
    return false;
  }
}

function urlOf({ host, port }: HostPort): string {
  return `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
}
