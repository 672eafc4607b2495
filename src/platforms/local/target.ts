import type { Split } from "../../core/split.js";
import type { DeploymentTarget, Version } from "../types.js";
import { AdminClient, type AdminClientOptions } from "./admin-client.js";
import { splitStateSchema, versionsSchema } from "./admin-contract.js";
import { VERSION_HEADER } from "./proxy-server.js";

/** A service behind `glidepath proxy`, driven through the proxy's admin API. */
export class LocalTarget implements DeploymentTarget {
  private readonly client: AdminClient;

  constructor(options: AdminClientOptions) {
    this.client = new AdminClient(options);
  }

  async listVersions(): Promise<Version[]> {
    const { versions } = await this.client.call("GET", "/versions", versionsSchema);
    return versions.map(({ id, url }) => ({ id, description: url }));
  }

  async currentSplit(): Promise<Split> {
    return (await this.client.call("GET", "/split", splitStateSchema)).split;
  }

  async applySplit(split: Split, note: string): Promise<void> {
    await this.client.call("PUT", "/split", splitStateSchema, { split, note });
  }

  /** The proxy routes any configured version by header, whatever the split. */
  async prepareOverride(): Promise<void> {}

  overrideHeaders(version: string): Record<string, string> {
    return { [VERSION_HEADER]: version };
  }
}
