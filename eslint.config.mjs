import { defineConfig, globalIgnores } from "eslint/config";
import nextCoreWebVitals from "eslint-config-next/core-web-vitals";
import nextTypescript from "eslint-config-next/typescript";
import drizzle from "eslint-plugin-drizzle";
import jsxA11y from "eslint-plugin-jsx-a11y";
import tseslint from "typescript-eslint";

/**
 * `npm run lint` (no warnings allowed; `npm test` runs it first). Next.js's rules (React, React
 * hooks including the React Compiler checks, Core Web Vitals, imports), typescript-eslint with type
 * information, jsx-a11y's recommended set and Drizzle's guards against a delete or update without
 * `where`. Formatting is Prettier's job, not ESLint's.
 */
export default defineConfig([
  globalIgnores([
    ".next/**",
    ".next-*/**",
    ".data/**",
    "node_modules/**",
    "drizzle/**",
    "test-results/**",
    "playwright-report/**",
    "next-env.d.ts",
  ]),
  ...nextCoreWebVitals,
  ...nextTypescript,
  // Type-aware rules for TypeScript; the project service reads tsconfig.json.
  {
    files: ["**/*.{ts,tsx,mts,cts}"],
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // next/typescript lowers these to warnings; with --max-warnings 0 they are errors anyway, so say so.
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/no-unused-expressions": "error",
      // React ignores what an event handler returns, and our async handlers catch their own errors.
      "@typescript-eslint/no-misused-promises": ["error", { checksVoidReturn: { attributes: false } }],
    },
  },
  {
    files: ["**/*.test.ts", "**/*.test.tsx", "e2e/**/*.ts", "lib/testing/**/*.ts"],
    rules: {
      // vitest's asymmetric matchers (expect.any, expect.objectContaining…) are typed `any`, and tests
      // inspect caught errors and JSON bodies whose shape is the very thing they assert.
      "@typescript-eslint/no-unsafe-assignment": "off",
      "@typescript-eslint/no-unsafe-argument": "off",
      "@typescript-eslint/no-unsafe-member-access": "off",
      "@typescript-eslint/no-unsafe-return": "off",
      // Test doubles implement async interfaces (fetchers, sleep, handlers) without awaiting anything.
      "@typescript-eslint/require-await": "off",
    },
  },
  // jsx-a11y's recommended rules (eslint-config-next registers the plugin but enables only a few).
  {
    files: ["**/*.{jsx,tsx}"],
    rules: jsxA11y.flatConfigs.recommended.rules,
  },
  {
    files: ["**/*.{ts,tsx}"],
    plugins: { drizzle },
    rules: {
      // The names a Drizzle database or transaction goes by here: `db`, `tx`, `(await getDb())`.
      "drizzle/enforce-delete-with-where": ["error", { drizzleObjectName: ["db", "tx", "getDb"] }],
      "drizzle/enforce-update-with-where": ["error", { drizzleObjectName: ["db", "tx", "getDb"] }],
    },
  },
]);
