// The CrossGuard pack: only assembles the rules, which live in ./rules so tests and the
// offline plan can import them without starting the policy server.
import { join } from "node:path";
import { PolicyPack } from "@pulumi/policy";
import { RunError } from "@pulumi/pulumi";
import { allPolicies } from "./rules";
import { kitFactsStaleness } from "./rules/facts-freshness";

// Inside the kit's checkout, a pack whose generated facts are older than the components refuses
// to start (a RunError: Pulumi's policy host prints its message without a stack trace).
const stale = kitFactsStaleness(join(__dirname, ".."));
if (stale) throw new RunError(stale);

new PolicyPack("mlserving-guardrails", { policies: allPolicies });
