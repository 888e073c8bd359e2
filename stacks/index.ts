// Entry point of the Pulumi program (`main: stacks/` in Pulumi.yaml). Pulumi calls the
// exported function and publishes what it returns as the stack's outputs.
import { runPlatformProgram } from "./program";

// A real deployment: placeholder values in the stack file are refused before anything is created.
export = () => runPlatformProgram({ deploying: true });
