// The example workflow users copy: it parses, plans every stack the repository has, runs only
// commands that exist here, and its offline job needs no credentials.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

const root = join(__dirname, "..", "..");
const workflow = parse(readFileSync(join(root, ".github", "workflows", "plan.yml"), "utf8"));
const scripts = Object.keys(JSON.parse(readFileSync(join(root, "package.json"), "utf8")).scripts);
const stacks = readdirSync(join(root, "stacks"))
  .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
  .filter((s): s is string => s !== undefined)
  .sort();

interface Step {
  run?: string;
  uses?: string;
  with?: Record<string, unknown>;
}
const jobs = workflow.jobs as Record<string, { steps: Step[]; strategy?: { matrix: { stack: string[] } } }>;

/** The one shell step: whether both credentials of the preview are set. */
const CREDENTIALS_CHECK = `echo "ready=\${{ env.AWS_ROLE_ARN != '' && env.PULUMI_ACCESS_TOKEN != '' }}" >> "$GITHUB_OUTPUT"`;

describe(".github/workflows/plan.yml", () => {
  it("runs on pull requests", () => {
    expect(Object.keys(workflow.on)).toContain("pull_request");
  });

  it.each(Object.keys(jobs).filter((j) => j !== "credentials"))("job %s covers every stack file in stacks/", (job) => {
    expect([...(jobs[job].strategy?.matrix.stack ?? [])].sort()).toEqual(stacks);
  });

  it("every npm command it runs is a script or ci of this repository or of policies/", () => {
    const runs = Object.values(jobs).flatMap((j) => j.steps.flatMap((s) => (s.run ? [s.run] : [])));
    expect(runs.length).toBeGreaterThan(2);
    for (const cmd of runs) {
      const script = /^npm run ([\w:-]+)/.exec(cmd)?.[1];
      if (script) expect(scripts, cmd).toContain(script);
      else if (/^npm ci\b/.test(cmd)) {
        const prefix = /--prefix (\S+)/.exec(cmd)?.[1] ?? ".";
        expect(existsSync(join(root, prefix, "package-lock.json")), `${cmd}: lockfile`).toBe(true);
      } else if (cmd !== CREDENTIALS_CHECK) throw new Error(`unexpected command ${cmd}`);
    }
  });

  it("the offline plan uses no secrets, variables or cloud credentials", () => {
    const offline = JSON.stringify(jobs["offline-plan"]);
    expect(offline).not.toMatch(/secrets\.|vars\.|configure-aws-credentials|pulumi\/actions/);
    expect(
      jobs["offline-plan"].steps.some((s) => s.run?.startsWith("npm run plan -- --stack ${{ matrix.stack }}")),
    ).toBe(true);
  });

  it("the preview runs the pack with the config file the stack's offline plan wrote (the budget estimate in it)", () => {
    const step = jobs.preview.steps.find((s) => s.uses?.startsWith("pulumi/actions@"));
    expect(step?.with).toMatchObject({
      command: "preview",
      policyPacks: "policies",
      policyPackConfigs: ".plan/${{ matrix.stack }}/policy-pack-config.json",
    });
    const download = jobs.preview.steps.find((s) => s.uses?.startsWith("actions/download-artifact@"));
    const upload = jobs["offline-plan"].steps.find((s) => s.uses?.startsWith("actions/upload-artifact@"));
    expect(download?.with).toEqual({ name: upload?.with?.name, path: upload?.with?.path });
  });

  it("previews only when both credentials are set: the AWS role and the Pulumi token", () => {
    const preview = workflow.jobs.preview as { if: string; needs: string[] };
    expect(preview.needs).toEqual(["offline-plan", "credentials"]);
    expect(preview.if).toBe("needs.credentials.outputs.ready == 'true'");
    const check = (workflow.jobs.credentials as { steps: (Step & { env: Record<string, string> })[] }).steps[0];
    expect(check.run).toBe(CREDENTIALS_CHECK);
    expect(check.env).toEqual({
      AWS_ROLE_ARN: "${{ vars.AWS_ROLE_ARN }}",
      PULUMI_ACCESS_TOKEN: "${{ secrets.PULUMI_ACCESS_TOKEN }}",
    });
  });
});

describe("examples/model-team/.github/workflows/plan.yml (a team repository's)", () => {
  const team = join(root, "examples", "model-team");
  const teamWorkflow = parse(readFileSync(join(team, ".github", "workflows", "plan.yml"), "utf8"));
  const teamJobs = teamWorkflow.jobs as Record<string, { steps: Step[]; strategy?: { matrix: { stack: string[] } } }>;
  const teamStacks = readdirSync(team)
    .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
    .filter((s): s is string => s !== undefined);

  it("plans every stack of the team's repository with the package's command, with no credential", () => {
    const offline = teamJobs["offline-plan"];
    expect(offline.strategy?.matrix.stack).toEqual(teamStacks);
    expect(JSON.stringify(offline)).not.toMatch(/secrets\.|vars\.|configure-aws-credentials|pulumi\/actions/);
    const runs = offline.steps.flatMap((s) => (s.run ? [s.run] : []));
    expect(runs).toContain("npx mlserving-plan --stack ${{ matrix.stack }}");
    // Only commands a repository that depends on the kit has: no `npm run plan`, no kit script.
    for (const cmd of runs) expect(cmd, cmd).toMatch(/^(npm ci\b|npx (tsc|mlserving-plan)\b)/);
    const manifest = JSON.parse(readFileSync(join(team, "package.json"), "utf8"));
    expect(Object.keys(manifest.dependencies)).toContain("@mlserving/kit");
  });

  it("previews only when both credentials are set", () => {
    const preview = teamWorkflow.jobs.preview as { if: string; needs: string[] };
    expect(preview.if).toBe("needs.credentials.outputs.ready == 'true'");
    expect(preview.needs).toContain("credentials");
    expect((teamWorkflow.jobs.credentials as { steps: Step[] }).steps[0].run).toBe(CREDENTIALS_CHECK);
  });
});
