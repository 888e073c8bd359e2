// Entry point of the model team's Pulumi program (`main: index.ts` in Pulumi.yaml). Pulumi calls
// the exported function and publishes what it returns as the stack's outputs.
import { runModelTeamProgram } from "./program";

export = () => runModelTeamProgram();
