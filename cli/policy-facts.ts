// Regenerates policies/rules/kit-facts.ts from the components' constants (`npm run policy-facts`).
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { KIT_FACTS_PATH, kitFactsSource } from "./kit-facts";

const file = join(__dirname, "..", KIT_FACTS_PATH);
kitFactsSource(file).then(
  (src) => writeFileSync(file, src),
  (err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  },
);
