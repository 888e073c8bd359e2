// The CrossGuard pack: only assembles the rules, which live in ./rules so tests and the
// offline plan can import them without starting the policy server.
import { PolicyPack } from "@pulumi/policy";
import { allPolicies } from "./rules";

new PolicyPack("mlserving-guardrails", { policies: allPolicies });
