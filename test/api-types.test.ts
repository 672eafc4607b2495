import { readFile } from "node:fs/promises";
import { expect, it } from "vitest";
import { API_TYPES_FILE, renderApiTypes } from "../scripts/api-types.js";

it("the dashboard's API types match the server's routes (regenerate with npm run api:types)", async () => {
  expect(await readFile(API_TYPES_FILE, "utf8")).toBe(await renderApiTypes());
});
