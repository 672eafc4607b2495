import { type DocumentNode, GraphQLError, Kind, type OperationDefinitionNode, parse, valueFromASTUntyped } from "graphql";
import type { AccountTraffic } from "../traffic/traffic-record.js";
import { resolveInvocationsAdaptive } from "./invocations-adaptive.js";
import { argumentsOf, fieldsOf, GraphqlQueryError, responseKey } from "./selection.js";

export interface GraphqlRequest {
  query?: unknown;
  variables?: unknown;
  operationName?: unknown;
}

export interface GraphqlAnswer {
  data: Record<string, unknown> | null;
  errors?: { message: string; path?: readonly string[]; extensions: { code: string } }[];
}

/**
 * Answers the slice of Cloudflare's GraphQL Analytics API that Glidepath reads:
 * `viewer { accounts(filter: {accountTag}) { workersInvocationsAdaptive(...) { ... } } }`.
 * Only the fields asked for are answered; anything else is a GraphQL error with no data.
 */
export function answerAnalyticsQuery(request: GraphqlRequest, traffic: AccountTraffic): GraphqlAnswer {
  try {
    const operation = operationOf(request);
    const variables = variablesOf(operation, request.variables);
    const data: Record<string, unknown> = {};
    for (const field of fieldsOf(operation.selectionSet, [])) {
      if (field.name.value !== "viewer") throw new GraphqlQueryError(`unknown field "${field.name.value}"`, [field.name.value]);
      data[responseKey(field)] = resolveViewer(field.selectionSet, variables, traffic);
    }
    return { data };
  } catch (error) {
    if (error instanceof GraphqlQueryError) return failed(error.message, error.code, error.path);
    if (error instanceof GraphQLError) return failed(error.message, "GRAPHQL_PARSE_FAILED");
    throw error;
  }
}

function resolveViewer(selectionSet: Parameters<typeof fieldsOf>[0], variables: Record<string, unknown>, traffic: AccountTraffic) {
  const viewer: Record<string, unknown> = {};
  for (const field of fieldsOf(selectionSet, ["viewer"])) {
    const path = ["viewer", field.name.value];
    if (field.name.value !== "accounts") throw new GraphqlQueryError(`unknown field "${field.name.value}"`, path);
    const { filter } = argumentsOf(field, variables, ["filter"], path);
    const accountTag = typeof filter === "object" && filter !== null ? (filter as Record<string, unknown>).accountTag : undefined;
    if (typeof accountTag !== "string") throw new GraphqlQueryError("accounts needs filter: {accountTag: ...}", path);
    viewer[responseKey(field)] = traffic.hasAccount(accountTag) ? [resolveAccount(field, variables, traffic, accountTag)] : [];
  }
  return viewer;
}

function resolveAccount(accountsField: Parameters<typeof responseKey>[0], variables: Record<string, unknown>, traffic: AccountTraffic, accountTag: string) {
  const account: Record<string, unknown> = {};
  for (const field of fieldsOf(accountsField.selectionSet, ["viewer", "accounts"])) {
    const path = ["viewer", "accounts", "0", field.name.value];
    if (field.name.value !== "workersInvocationsAdaptive") throw new GraphqlQueryError(`unknown field "${field.name.value}"`, path);
    const limits = { nowMs: traffic.clock.now(), retentionSeconds: traffic.retentionSeconds };
    account[responseKey(field)] = resolveInvocationsAdaptive(field, variables, (fromMs, toMs) => traffic.visibleSeconds(accountTag, fromMs, toMs), limits, path);
  }
  return account;
}

function operationOf({ query, operationName }: GraphqlRequest): OperationDefinitionNode {
  if (typeof query !== "string") throw new GraphqlQueryError("the body needs a query string", []);
  const document: DocumentNode = parse(query);
  const operations = document.definitions.filter((definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION);
  const operation = typeof operationName === "string" ? operations.find((candidate) => candidate.name?.value === operationName) : operations[0];
  if (!operation) throw new GraphqlQueryError(typeof operationName === "string" ? `no operation named ${operationName}` : "the query has no operation", []);
  if (operation.operation !== "query") throw new GraphqlQueryError(`the analytics API answers queries only, not ${operation.operation}s`, []);
  return operation;
}

/** The request's variables, with the defaults the operation declares; a declared non-null variable must be given. */
function variablesOf(operation: OperationDefinitionNode, given: unknown): Record<string, unknown> {
  const values: Record<string, unknown> = typeof given === "object" && given !== null ? { ...(given as Record<string, unknown>) } : {};
  for (const definition of operation.variableDefinitions ?? []) {
    const name = definition.variable.name.value;
    if (values[name] !== undefined) continue;
    if (definition.defaultValue) values[name] = valueFromASTUntyped(definition.defaultValue);
    else if (definition.type.kind === Kind.NON_NULL_TYPE) throw new GraphqlQueryError(`variable $${name} is required`, []);
  }
  return values;
}

function failed(message: string, code: string, path?: readonly string[]): GraphqlAnswer {
  return { data: null, errors: [{ message, ...(path && path.length > 0 ? { path } : {}), extensions: { code } }] };
}
