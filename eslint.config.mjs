import js from "@eslint/js";
import tseslint from "typescript-eslint";

const PULUMI_EKS = {
  name: "@pulumi/eks",
  message: "Build clusters from aws.* resources so every child is visible to tests and policies.",
};
const LAYER_MESSAGE =
  "Domains import common and the domains below them only (common < network, cluster < monitoring, capacity, registry, serving < platform); shared names live in components/common.";

export default tseslint.config(
  { ignores: ["dist/", "node_modules/", ".plan/", "coverage/"] },
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
  {
    files: ["components/common/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          paths: [PULUMI_EKS],
          patterns: [
            {
              group: [
                "../network",
                "../network/*",
                "../cluster",
                "../cluster/*",
                "../monitoring",
                "../monitoring/*",
                "../capacity",
                "../capacity/*",
                "../registry",
                "../registry/*",
                "../serving",
                "../serving/*",
                "../platform",
                "../platform/*",
              ],
              message: LAYER_MESSAGE,
            },
          ],
        },
      ],
    },
  },
  {
    files: ["components/network/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          paths: [PULUMI_EKS],
          patterns: [
            {
              group: [
                "../cluster",
                "../cluster/*",
                "../monitoring",
                "../monitoring/*",
                "../capacity",
                "../capacity/*",
                "../registry",
                "../registry/*",
                "../serving",
                "../serving/*",
                "../platform",
                "../platform/*",
              ],
              message: LAYER_MESSAGE,
            },
          ],
        },
      ],
    },
  },
  {
    files: ["components/cluster/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          paths: [PULUMI_EKS],
          patterns: [
            {
              group: [
                "../network",
                "../network/*",
                "../monitoring",
                "../monitoring/*",
                "../capacity",
                "../capacity/*",
                "../registry",
                "../registry/*",
                "../serving",
                "../serving/*",
                "../platform",
                "../platform/*",
              ],
              message: LAYER_MESSAGE,
            },
          ],
        },
      ],
    },
  },
  {
    files: ["components/monitoring/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          paths: [PULUMI_EKS],
          patterns: [
            {
              group: [
                "../network",
                "../network/*",
                "../capacity",
                "../capacity/*",
                "../registry",
                "../registry/*",
                "../serving",
                "../serving/*",
                "../platform",
                "../platform/*",
              ],
              message: LAYER_MESSAGE,
            },
          ],
        },
      ],
    },
  },
  {
    files: ["components/capacity/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          paths: [PULUMI_EKS],
          patterns: [
            {
              group: [
                "../network",
                "../network/*",
                "../monitoring",
                "../monitoring/*",
                "../registry",
                "../registry/*",
                "../serving",
                "../serving/*",
                "../platform",
                "../platform/*",
              ],
              message: LAYER_MESSAGE,
            },
          ],
        },
      ],
    },
  },
  {
    files: ["components/registry/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          paths: [PULUMI_EKS],
          patterns: [
            {
              group: [
                "../network",
                "../network/*",
                "../monitoring",
                "../monitoring/*",
                "../capacity",
                "../capacity/*",
                "../serving",
                "../serving/*",
                "../platform",
                "../platform/*",
              ],
              message: LAYER_MESSAGE,
            },
          ],
        },
      ],
    },
  },
  {
    files: ["components/serving/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          paths: [PULUMI_EKS],
          patterns: [
            {
              group: [
                "../network",
                "../network/*",
                "../monitoring",
                "../monitoring/*",
                "../capacity",
                "../capacity/*",
                "../registry",
                "../registry/*",
                "../platform",
                "../platform/*",
              ],
              message: LAYER_MESSAGE,
            },
          ],
        },
      ],
    },
  },
);
