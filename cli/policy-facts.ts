// Regenerates policies/rules/kit-facts.ts and the vendored modules from the components (`npm run policy-facts`).
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { KIT_FACTS_PATH, kitFactsSource, VENDORED_MODULES, vendoredPath, vendoredSource } from "./kit-facts";

const root = join(__dirname, "..");

async function main() {
  const file = join(root, KIT_FACTS_PATH);
  writeFileSync(file, await kitFactsSource(file));
  for (const name of VENDORED_MODULES) {
    const out = join(root, vendoredPath(name));
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, await vendoredSource(root, name));
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
