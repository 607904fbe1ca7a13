// ESLint: typescript-eslint and Next's rules, plus the house's layer rules (HOUSE.md) as
// import restrictions, so a wrong import fails `npm run lint` instead of waiting for a review.
import { defineConfig, globalIgnores } from "eslint/config";
import nextCoreWebVitals from "eslint-config-next/core-web-vitals";
import nextTypescript from "eslint-config-next/typescript";
import prettier from "eslint-config-prettier/flat";

const layer = (from, forbidden, why) => ({
  files: from,
  rules: {
    "no-restricted-imports": [
      "error",
      {
        patterns: forbidden.map((group) => ({ group: [group, `${group}/**`], message: why })),
      },
    ],
  },
});

const readsEnvOnlyInLibEnv = {
  "no-restricted-properties": [
    "error",
    {
      object: "process",
      property: "env",
      message: "Only lib/env.ts reads process.env: add the variable there (zod-validated) and use getEnv().",
    },
  ],
};

export default defineConfig([
  globalIgnores([
    ".next/**",
    ".node/**",
    "node_modules/**",
    "native/build/**",
    ".build/**",
    "next-env.d.ts",
    "playwright-report/**",
    "test-results/**",
    "coverage/**",
    "bench/.cache/**",
    "components/ui/**", // shadcn/ui output, kept as generated
  ]),
  ...nextCoreWebVitals,
  ...nextTypescript,
  prettier,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none" }],
      // These three come with react-hooks 7 for the React Compiler, which Relayboard does not use.
      // What they flag here is deliberate: a debounced preview that marks itself "waiting" when
      // its input changes, a dialog that closes on its action's answer, Date.now() for "expired"
      // in a server component, and a ref read for CodeMirror's keymap.
      "react-hooks/set-state-in-effect": "off",
      "react-hooks/purity": "off",
      "react-hooks/refs": "off",
    },
    linterOptions: { reportUnusedDisableDirectives: "error" },
  },
  // Layers point one way: app → lib → db; jobs and scripts are entries that import lib.
  layer(["lib/**"], ["@/jobs", "@/scripts", "@/app"], "lib/ never imports jobs/, scripts/ or app/ (HOUSE.md: layers point one way)."),
  {
    // Unit tests beside the code may use the test and bench data helpers; the code itself may not.
    ...layer(
      ["lib/**"],
      ["@/jobs", "@/scripts", "@/app", "@/e2e", "@/tests", "@/bench"],
      "lib/ code never imports tests, e2e or bench helpers.",
    ),
    ignores: ["**/*.test.ts"],
  },
  layer(
    ["db/**"],
    ["@/lib", "@/jobs", "@/scripts", "@/app"],
    "db/ never imports lib/, jobs/, scripts/ or app/ (HOUSE.md: layers point one way).",
  ),
  layer(["jobs/**"], ["@/scripts", "@/app", "next", "react", "server-only"], "jobs/ is plain Node: no scripts/, app/, next or React."),
  // proxy.ts is left out: Next inlines NODE_ENV there at build time, and lib/env cannot load in it.
  { files: ["lib/**", "app/**", "db/**", "jobs/**", "components/**"], ignores: ["lib/env.ts"], rules: readsEnvOnlyInLibEnv },
]);
