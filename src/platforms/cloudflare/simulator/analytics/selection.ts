import { type FieldNode, Kind, type SelectionSetNode, valueFromASTUntyped } from "graphql";

/** A mistake in a GraphQL query, or one over a limit, answered in `errors` with HTTP 200 as Cloudflare's API does. */
export class GraphqlQueryError extends Error {
  override name = "GraphqlQueryError";
  constructor(
    message: string,
    readonly path: readonly string[],
    /** `extensions.code` of the error. */
    readonly code = "GRAPHQL_VALIDATION_FAILED",
  ) {
    super(message);
  }
}

/** The fields of a selection set; the simulator answers plain fields only, not fragments. */
export function fieldsOf(selectionSet: SelectionSetNode | undefined, path: readonly string[]): FieldNode[] {
  if (!selectionSet) throw new GraphqlQueryError(`${path.at(-1) ?? "the query"} needs a selection of fields`, path);
  return selectionSet.selections.map((selection) => {
    if (selection.kind !== Kind.FIELD) throw new GraphqlQueryError("the simulator answers plain fields only, not fragments", path);
    return selection;
  });
}

/** The key a field's value is answered under: its alias, else its name. */
export function responseKey(field: FieldNode): string {
  return field.alias?.value ?? field.name.value;
}

/** A field's arguments with variables filled in; an argument not in `allowed` is an error. */
export function argumentsOf(field: FieldNode, variables: Record<string, unknown>, allowed: readonly string[], path: readonly string[]): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const argument of field.arguments ?? []) {
    const name = argument.name.value;
    if (!allowed.includes(name)) throw new GraphqlQueryError(`unknown argument "${name}" on field "${field.name.value}"`, path);
    values[name] = valueFromASTUntyped(argument.value, variables);
  }
  return values;
}

/** Answers each scalar field asked for from `values`, computing only those; a field not among them is an error. */
export function pickScalars(field: FieldNode, values: Record<string, () => unknown>, path: readonly string[]): Record<string, unknown> {
  const answer: Record<string, unknown> = {};
  for (const child of fieldsOf(field.selectionSet, path)) {
    const name = child.name.value;
    if (!Object.hasOwn(values, name)) throw new GraphqlQueryError(`unknown field "${name}"`, [...path, name]);
    answer[responseKey(child)] = values[name]!();
  }
  return answer;
}
