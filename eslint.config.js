import js from "@eslint/js";
import globals from "globals";
import reactHooks from "eslint-plugin-react-hooks";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist/", "action/dist/", "node_modules/", "src/store/migrations/", "web/src/api/schema.d.ts"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  { languageOptions: { globals: globals.node } },
  {
    files: ["web/src/**/*.{ts,tsx}"],
    ...reactHooks.configs.flat["recommended-latest"],
    languageOptions: { globals: globals.browser },
  },
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "no-restricted-imports": "off",
    },
  },
  {
    files: ["src/core/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        { patterns: [{ group: ["node:*"], message: "src/core is pure: no Node APIs (see DESIGN.md)." }] },
      ],
      "no-restricted-globals": [
        "error",
        { name: "Date", message: "src/core takes the time as an argument; do not read the clock." },
        { name: "setTimeout", message: "src/core does no I/O." },
        { name: "fetch", message: "src/core does no I/O." },
      ],
    },
  },
);
