import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse as parseJsonc, printParseErrorCode, type ParseError } from "jsonc-parser";
import { parse as parseToml } from "smol-toml";

/** The files wrangler reads its configuration from, in the order it looks for them. */
const WRANGLER_CONFIG_FILES = ["wrangler.json", "wrangler.jsonc", "wrangler.toml"] as const;

/**
 * The Worker's name from the wrangler configuration in `directory`, or an Error that completes
 * the sentence "--worker is not given and ..." with what is missing.
 */
export function readWorkerName(directory: string): string | Error {
  const file = WRANGLER_CONFIG_FILES.map((name) => join(directory, name)).find((path) => existsSync(path));
  if (!file) return new Error(`there is no ${WRANGLER_CONFIG_FILES.join(", ")} in ${directory} to read the Worker's name from`);

  let config: unknown;
  try {
    config = file.endsWith(".toml") ? parseToml(readFileSync(file, "utf8")) : parseJson(readFileSync(file, "utf8"));
  } catch (error) {
    return new Error(`${file} cannot be read: ${(error as Error).message.split("\n")[0]}`);
  }
  const name = (config as { name?: unknown } | null)?.name;
  if (typeof name !== "string" || name === "") return new Error(`${file} has no \`name\` for the Worker`);
  return name;
}

/** JSON with comments and trailing commas, as wrangler accepts it. */
function parseJson(text: string): unknown {
  const errors: ParseError[] = [];
  const value: unknown = parseJsonc(text, errors, { allowTrailingComma: true });
  const [first] = errors;
  if (first) {
    const line = text.slice(0, first.offset).split("\n").length;
    throw new Error(`not valid JSON: ${printParseErrorCode(first.error)} on line ${line}`);
  }
  return value;
}
