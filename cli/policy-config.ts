// Regenerates policies/config.<env>.json (the files CI passes to --policy-pack-config).
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { allPolicies, policyPackConfig } from "../policies/rules";

for (const env of ["dev", "staging", "prod"] as const) {
  writeFileSync(
    join(__dirname, "..", "policies", `config.${env}.json`),
    JSON.stringify(policyPackConfig(allPolicies, env), null, 2) + "\n",
  );
}
