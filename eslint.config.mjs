import js from "@eslint/js";
import tseslint from "typescript-eslint";

const PULUMI_EKS = {
  name: "@pulumi/eks",
  message: "Build clusters from aws.* resources so every child is visible to tests and policies.",
};
const LAYER_MESSAGE =
  "Domains import common and the domains below them only (common < network, cluster < monitoring, capacity, registry, serving < platform); shared names live in components/common.";

/** What each domain may import besides itself and components/versions.ts. */
const LAYERS = {
  common: [],
  network: ["common"],
  cluster: ["common"],
  monitoring: ["common", "cluster"],
  capacity: ["common", "cluster"],
  registry: ["common", "cluster"],
  serving: ["common", "cluster"],
};
const DOMAINS = [...Object.keys(LAYERS), "platform"];
const layerRules = Object.entries(LAYERS).map(([domain, allowed]) => ({
  files: [`components/${domain}/**/*.ts`],
  rules: {
    "no-restricted-imports": [
      "error",
      {
        paths: [PULUMI_EKS],
        patterns: [
          {
            group: DOMAINS.filter((d) => d !== domain && !allowed.includes(d)).flatMap((d) => [`../${d}`, `../${d}/*`]),
            message: LAYER_MESSAGE,
          },
        ],
      },
    ],
  },
}));

export default tseslint.config(
  {
    ignores: [
      "dist/",
      "dist-cli/",
      "node_modules/",
      ".plan/",
      ".api/",
      "coverage/",
      "bench/*/node_modules/",
      "bench/*/dist/",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
      "no-console": "off",
    },
  },
  {
    // Plain CommonJS launchers run by node before any TypeScript is compiled.
    files: ["cli/**/*.js", "bench/**/*.js"],
    languageOptions: {
      sourceType: "commonjs",
      globals: {
        require: "readonly",
        module: "writable",
        __dirname: "readonly",
        __filename: "readonly",
        process: "readonly",
        console: "readonly",
        structuredClone: "readonly",
      },
    },
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
  {
    // Tests dig into recorded resource inputs, which are untyped JSON.
    files: ["test/**/*.ts"],
    rules: { "@typescript-eslint/no-explicit-any": "off" },
  },
  {
    files: ["components/**/*.ts", "policies/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          paths: [PULUMI_EKS],
        },
      ],
      "no-restricted-syntax": [
        "error",
        {
          selector: "NewExpression[callee.object.name='pulumi'][callee.property.name='Config']",
          message: "Components never read Pulumi config; only stacks/ does.",
        },
      ],
    },
  },

  // Layers without cycles: each domain imports only the domains below it.
  ...layerRules,
);
