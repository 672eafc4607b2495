import YAML, { LineCounter, type Alias, type Document } from "yaml";
import { PLAN_LIMITS } from "./plan-limits.js";
import { valueText } from "./schema-issues.js";

/**
 * A plan's text (YAML, or JSON, which is YAML) read as the document it holds, or what stops it
 * being read, worded to follow the text's name: "plans/x.yaml is not valid YAML or JSON at line 3,
 * column 5: ...". The text is measured before it is parsed, and aliases are expanded only so far,
 * so no text makes this slow.
 */
export function readPlanDocument(text: string): { document: Record<string, unknown> } | { problem: string } {
  // UTF-8 takes at least one byte for each UTF-16 unit, so a text this long is too big without encoding it.
  if (text.length > PLAN_LIMITS.textBytes || new TextEncoder().encode(text).length > PLAN_LIMITS.textBytes) {
    return { problem: `is larger than ${PLAN_LIMITS.textBytes / 1024} KiB, the most a plan may be` };
  }
  const lineCounter = new LineCounter();
  const parsed = YAML.parseDocument(text, { lineCounter, prettyErrors: false });
  const at = (offset: number) => {
    const { line, col } = lineCounter.linePos(offset);
    return `at line ${line}, column ${col}`;
  };
  const [error] = parsed.errors;
  if (error) return { problem: `is not valid YAML or JSON ${at(error.pos[0])}: ${error.message}` };
  const alias = badAlias(parsed);
  if (alias) return { problem: `has the YAML alias *${alias.alias.source} ${at(alias.alias.range![0])} ${alias.why}` };
  let value: unknown;
  try {
    value = parsed.toJS({ maxAliasCount: PLAN_LIMITS.yamlAliases });
  } catch (error) {
    // The one thing left that toJS throws for: aliases expanding past the count (a billion laughs).
    if (!(error instanceof ReferenceError)) throw error;
    return { problem: `repeats its YAML aliases more than the ${PLAN_LIMITS.yamlAliases} times a plan may; write the repeated parts out` };
  }
  if (!isPlainObject(value)) {
    return { problem: `must hold one plan: a mapping with name, stages, slos and policy (got ${value === null || value === undefined ? "nothing" : valueText(value)})` };
  }
  return { document: value };
}

/** An alias that names no anchor before it, or the part it sits in, which would make the plan contain itself. */
function badAlias(document: Document): { alias: Alias; why: string } | undefined {
  let found: { alias: Alias; why: string } | undefined;
  YAML.visit(document, {
    Alias(_, alias, path) {
      const target = alias.resolve(document);
      if (!target) found = { alias, why: `before any anchor &${alias.source}` };
      else if (path.includes(target)) found = { alias, why: `inside the part it names; a plan cannot contain itself` };
      return found ? YAML.visit.BREAK : undefined;
    },
  });
  return found;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return Object.prototype.toString.call(value) === "[object Object]";
}
