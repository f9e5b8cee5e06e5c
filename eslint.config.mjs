// ESLint (flat config): JavaScript's and typescript-eslint's recommended rules everywhere, the
// React hooks rules on the dashboard's components and pages. Layering and import cycles are
// checked by dependency-cruiser (.dependency-cruiser.cjs), not here.
import js from "@eslint/js";
import reactHooks from "eslint-plugin-react-hooks";
import globals from "globals";
import tseslint from "typescript-eslint";

export default tseslint.config(
  {
    ignores: [
      "node_modules/",
      ".next/",
      "data/",
      "lib/generated/",
      "test-results/",
      "playwright-report/",
      "coverage/",
      "fixtures/",
      ".venv-juicefs/",
      "next-env.d.ts",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      // A leading underscore marks a parameter or binding kept on purpose (a signature to
      // implement, a member taken out of a rest object).
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrorsIgnorePattern: "^_", ignoreRestSiblings: true },
      ],
      // Async generators and object getters cannot be arrow functions; they reach their
      // instance through an alias of this name.
      "@typescript-eslint/no-this-alias": ["error", { allowedNames: ["self"] }],
    },
  },
  {
    // Plain Node scripts (bin/, scripts/, configs).
    files: ["**/*.mjs", "**/*.cjs", "**/*.js"],
    languageOptions: { globals: globals.node },
  },
  {
    files: ["app/**/*.tsx", "components/**/*.tsx"],
    ...reactHooks.configs.flat["recommended-latest"],
  },
);
