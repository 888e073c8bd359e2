import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";

/** The TypeScript sources under `dir` (declaration files and node_modules left out), at any depth. */
export function tsSourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return entry === "node_modules" ? [] : tsSourceFiles(path);
    return path.endsWith(".ts") && !path.endsWith(".d.ts") ? [path] : [];
  });
}
