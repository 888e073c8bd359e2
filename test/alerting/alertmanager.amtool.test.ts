/**
 * Where alerts go, per environment, checked with Debian's Alertmanager 0.25 tools on the config
 * the kit builds (`alertmanagerConfig`, fed with the receivers each shipped stack file configures):
 * `amtool check-config`, `amtool config routes test` for every severity, and a real Alertmanager
 * (with `amtool alert add` / `amtool alert query`) for inhibition, which amtool cannot test offline.
 *
 * Gap between 0.25 and the cluster's Alertmanager (v0.34 in kube-prometheus-stack 88.5.3):
 * `webhook_configs[].url_file` is newer than 0.25, which refuses it. For 0.25 only, each `url_file`
 * is replaced by a `url` (routing and inhibition do not read it); a test checks that this is the
 * only change. `api_url_file` (Slack) and `routing_key_file` (PagerDuty) load in 0.25 as they are.
 */
import { spawn } from "node:child_process";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { loadStackFile } from "../../cli/stack-file";
import { alertRuleGroups, DEFAULT_ALERT_RULE_INPUT } from "../../components/monitoring/alert-rules";
import { llmAlertRuleGroup } from "../../components/monitoring/llm-alert-rules";
import { configuredReceivers } from "../../components/monitoring/monitoring-stack";
import {
  alertmanagerConfig,
  AlertReceiverKind,
  HEARTBEAT_ROUTE,
  MODEL_PAGE_GROUP_BY,
} from "../../components/monitoring/prometheus-stack-values";
import { CONFIG_NAMESPACE, resolvePlatformSpec } from "../../stacks/config";
import { rawConfigFromPulumi } from "../../stacks/stack-config";
import { describeWithTools, run, scratchDir } from "../prom-tools";

type Config = ReturnType<typeof alertmanagerConfig>;

/** The receivers a shipped stack file configures, as the platform hands them to MonitoringStack. */
function stackReceivers(env: "dev" | "staging" | "prod"): { kinds: AlertReceiverKind[]; slackChannel?: string } {
  const file = join(__dirname, "..", "..", "stacks", `Pulumi.${env}.yaml`);
  const { config, secretKeys } = loadStackFile(file, CONFIG_NAMESPACE);
  const { raw, region } = rawConfigFromPulumi(config, (k) => secretKeys.includes(k));
  const spec = resolvePlatformSpec(raw, region, new Set(secretKeys));
  return { kinds: configuredReceivers(spec.alerting).map(([k]) => k), slackChannel: spec.alerting.slackChannel };
}

/** The config as Alertmanager 0.25 can load it: `url_file` (0.26+) becomes a `url`. */
function for025(config: Config): unknown {
  const copy = JSON.parse(JSON.stringify(config)) as { receivers: Record<string, unknown>[] };
  for (const r of copy.receivers)
    for (const w of (r.webhook_configs ?? []) as Record<string, unknown>[]) {
      delete w.url_file;
      w.url = "http://127.0.0.1:9/webhook-url-from-the-mounted-secret";
    }
  return copy;
}

function writeConfig(config: Config): { dir: string; file: string } {
  const dir = scratchDir("amtool");
  const file = join(dir, "alertmanager.yml");
  writeFileSync(file, stringify(for025(config)));
  return { dir, file };
}

/** The receivers amtool says an alert with these labels reaches, in order. */
async function routesOf(file: string, labels: Record<string, string>): Promise<string[]> {
  const r = await run("amtool", [
    "config",
    "routes",
    "test",
    `--config.file=${file}`,
    ...Object.entries(labels).map(([k, v]) => `${k}=${v}`),
  ]);
  expect(r.status, r.output).toBe(0);
  return r.output
    .split("\n")
    .filter((l) => l.trim() !== "" && !l.startsWith("Warning"))
    .join("")
    .trim()
    .split(",");
}

const ALERTS = {
  page: { alertname: "TritonErrorRateHigh", severity: "critical", namespace: "serving" },
  ticket: { alertname: "TritonQueueTimeHigh", severity: "warning", namespace: "serving" },
  info: { alertname: "KubeQuotaAlmostFull", severity: "info", namespace: "serving" },
  watchdog: { alertname: "Watchdog", severity: "none" },
};

describeWithTools("Alertmanager routes and inhibition under amtool", ["amtool", "prometheus-alertmanager"], () => {
  it("the 0.25 adaptation changes only webhook url_file", () => {
    const config = alertmanagerConfig({ kinds: ["slack", "pagerduty", "webhook", "heartbeat"] });
    const adapted = for025(config) as Config;
    expect(JSON.stringify(config)).toContain("url_file");
    expect({ ...adapted, receivers: [] }).toEqual({ ...config, receivers: [] });
    const withoutWebhooks = (c: Config) =>
      c.receivers.map((r) => ({ ...r, webhook_configs: undefined })) as Record<string, unknown>[];
    expect(withoutWebhooks(adapted)).toEqual(withoutWebhooks(config));
  });

  /** Where each kind of alert goes in each shipped environment. */
  const EXPECTED: Record<"dev" | "staging" | "prod", Record<keyof typeof ALERTS, string[]>> = {
    dev: { page: ["null"], ticket: ["null"], info: ["null"], watchdog: ["null"] },
    staging: { page: ["null"], ticket: ["null"], info: ["null"], watchdog: ["null"] },
    // Watchdog pings prod's dead man's switch (it went to null: nobody learnt that Prometheus died).
    prod: { page: ["page", "notify"], ticket: ["notify"], info: ["notify"], watchdog: ["heartbeat"] },
  };
  describe.each(Object.keys(EXPECTED) as (keyof typeof EXPECTED)[])("%s", (env) => {
    it.each(Object.keys(ALERTS) as (keyof typeof ALERTS)[])("routes a %s alert as expected", async (kind) => {
      const { dir, file } = writeConfig(alertmanagerConfig(stackReceivers(env)));
      try {
        const check = await run("amtool", ["check-config", file]);
        expect(check.status, check.output).toBe(0);
        expect(await routesOf(file, ALERTS[kind])).toEqual(EXPECTED[env][kind]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  it("prod's warnings reach Slack (a non-paging receiver), and its pages reach Slack too", () => {
    expect(stackReceivers("prod").kinds).toEqual(expect.arrayContaining(["pagerduty", "slack", "heartbeat"]));
  });

  /** Every alert the kit's rules can raise, with the labels it carries (a model's, when it is about one). */
  const KIT_ALERTS: Record<string, string>[] = [...alertRuleGroups(DEFAULT_ALERT_RULE_INPUT), llmAlertRuleGroup()]
    .flatMap((g) => g.rules)
    .map((r) => ({
      alertname: r.alert,
      ...r.labels,
      namespace: "serving",
      ...(r.annotations.summary.includes("$labels.mlserving_model")
        ? { mlserving_model: "fraud-detector", mlserving_track: "canary" }
        : {}),
    }));
  it("prod routes every alert the kit's rules can raise: pages to PagerDuty and Slack, the rest to Slack", async () => {
    const { dir, file } = writeConfig(alertmanagerConfig(stackReceivers("prod")));
    try {
      const got: string[] = [];
      const want: string[] = [];
      for (const a of KIT_ALERTS) {
        const name = `${a.alertname}/${a.severity}${a.long ? `/${a.long}` : ""}${a.job ? `/${a.job}` : ""}`;
        got.push(`${name}: ${(await routesOf(file, a)).join(",")}`);
        want.push(`${name}: ${a.severity === "critical" ? "page,notify" : "notify"}`);
      }
      expect(got).toEqual(want);
      expect(KIT_ALERTS.map((a) => a.alertname)).toEqual(expect.arrayContaining(["ModelDown", "LlmErrorRateHigh"]));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("prod's routing tree, as amtool shows it: Watchdog to the heartbeat, pages per model apart from the others", async () => {
    const { dir, file } = writeConfig(alertmanagerConfig(stackReceivers("prod")));
    try {
      const r = await run("amtool", ["config", "routes", "show", `--config.file=${file}`]);
      expect(r.status, r.output).toBe(0);
      const tree = r.output
        .split("\n")
        .filter((l) => l.includes("receiver:"))
        .map((l) => l.replace(/^[^a-z{]*/, "").replace(/\s+/g, " "));
      expect(tree).toEqual([
        "default-route receiver: notify",
        '{alertname="Watchdog"} receiver: heartbeat',
        '{alertname="InfoInhibitor"} receiver: null',
        '{mlserving_model=~".+",severity="critical"} continue: true receiver: page',
        '{mlserving_model="",severity="critical"} continue: true receiver: page',
        "default-route receiver: notify",
      ]);
      // amtool does not print timings or grouping: the config's own route carries them.
      const routes = alertmanagerConfig(stackReceivers("prod")).route.routes;
      expect(routes[0]).toMatchObject({ receiver: "heartbeat", ...HEARTBEAT_ROUTE });
      expect(routes[2]).toMatchObject({ receiver: "page", group_by: [...MODEL_PAGE_GROUP_BY] });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.each([
    [["pagerduty"], { page: ["page"], ticket: ["null"] }],
    [["slack"], { page: ["notify"], ticket: ["notify"] }],
    [["webhook"], { page: ["notify"], ticket: ["notify"] }],
    [["pagerduty", "webhook"], { page: ["page", "notify"], ticket: ["notify"] }],
  ] as [AlertReceiverKind[], Record<"page" | "ticket", string[]>][])(
    "with receivers %j, pages and tickets go to %j",
    async (kinds, expected) => {
      const { dir, file } = writeConfig(alertmanagerConfig({ kinds }));
      try {
        expect(await routesOf(file, ALERTS.page)).toEqual(expected.page);
        expect(await routesOf(file, ALERTS.ticket)).toEqual(expected.ticket);
        expect(await routesOf(file, ALERTS.watchdog)).toEqual(["null"]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );

  describe("inhibition, on a running Alertmanager", () => {
    let dir = "";
    let url = "";
    let stop = async () => {};
    let log = "";
    const waiters = new Set<() => void>();
    /** The first match of `pattern` in Alertmanager's log, once it is written: no clock involved. */
    const logLine = (pattern: RegExp) =>
      new Promise<RegExpExecArray>((found) => {
        const check = () => {
          const m = pattern.exec(log);
          if (!m) return;
          waiters.delete(check);
          found(m);
        };
        waiters.add(check);
        check();
      });
    let barriers = 0;
    /**
     * Resolves once the dispatcher has placed every alert sent so far in its aggregation group. It
     * takes alerts one at a time, in the order they were posted (dispatch/dispatch.go at v0.25.0:
     * `run` logs "Received alert" and then calls `processAlert`, which inserts it under the
     * dispatcher's lock before the next one is read), so once it has logged a barrier alert posted
     * after them, the earlier ones are all in their groups.
     */
    const dispatched = async () => {
      const name = `DispatchBarrier${++barriers}`;
      const r = await run("amtool", [
        `--alertmanager.url=${url}`,
        "alert",
        "add",
        `alertname=${name}`,
        "namespace=barrier",
      ]);
      expect(r.status, r.output).toBe(0);
      await logLine(new RegExp(`msg="Received alert" alert=${name}\\[`));
    };
    beforeAll(async () => {
      // The kit's values set inhibit_rules, so Helm replaces the chart's default list (whose first
      // rule, equal: [namespace, alertname], let one model's page hide every model's ticket).
      const config = alertmanagerConfig(stackReceivers("prod"));
      expect(config.inhibit_rules.length).toBeGreaterThan(0);
      ({ dir } = writeConfig(config));
      // Port 0: the system picks a free port, which Alertmanager logs ("Listening on"
      // address=127.0.0.1:<port>) once its HTTP listener is bound. Readiness is that log line, not
      // a poll on the clock.
      const am = spawn(
        "prometheus-alertmanager",
        [
          `--config.file=${join(dir, "alertmanager.yml")}`,
          `--storage.path=${join(dir, "data")}`,
          "--web.listen-address=127.0.0.1:0",
          "--cluster.listen-address=",
          // The dispatcher logs each alert it takes ("Received alert"): what dispatched() waits for.
          "--log.level=debug",
        ],
        { stdio: ["ignore", "ignore", "pipe"] },
      );
      // Alertmanager writes its notification log and silences to --storage.path as it shuts down,
      // so the directory is removed only once the process has exited.
      const exited = new Promise<void>((done) => am.once("exit", () => done()));
      stop = async () => {
        if (am.exitCode === null && am.signalCode === null) am.kill();
        await exited;
      };
      am.stderr.setEncoding("utf8");
      // Read for as long as it runs, so a full pipe never blocks it; each chunk wakes the waiters.
      am.stderr.on("data", (chunk: string) => {
        log += chunk;
        for (const w of [...waiters]) w();
      });
      const address = await new Promise<string>((found, failed) => {
        am.once("exit", (code) => failed(new Error(`Alertmanager exited (${code}) before listening:\n${log}`)));
        logLine(/msg="Listening on" address=(\S+)/).then((m) => found(m[1]));
      });
      url = `http://${address}`;
      const ready = await fetch(`${url}/-/ready`);
      expect(ready.ok, log).toBe(true);
    });
    afterAll(async () => {
      await stop();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    /** Sends alerts to the running Alertmanager; returns `model/track/severity: state` of every alert named `alertname`. */
    async function addAndQuery(alerts: Record<string, string>[], alertname: string): Promise<string[]> {
      for (const a of alerts) {
        const r = await run("amtool", [
          `--alertmanager.url=${url}`,
          "alert",
          "add",
          ...Object.entries(a).map(([k, v]) => `${k}=${v}`),
        ]);
        expect(r.status, r.output).toBe(0);
      }
      const q = await run("amtool", [
        `--alertmanager.url=${url}`,
        "alert",
        "query",
        "--inhibited",
        "--active",
        "-o",
        "json",
        `alertname=${alertname}`,
      ]);
      expect(q.status, q.output).toBe(0);
      return (JSON.parse(q.output) as { labels: Record<string, string>; status: { state: string } }[])
        .map((a) => `${a.labels.mlserving_model}/${a.labels.mlserving_track}/${a.labels.severity}: ${a.status.state}`)
        .sort();
    }

    it("an LLM page silences that LLM's ticket only: the LLM alerts carry the kit's model and track", async () => {
      // The labels LlmTimeToFirstTokenBudgetBurn carries (test/unit/llm-alert-rules.promtool.test.ts
      // pins them): the kit's model and track, not vLLM's model_name.
      const burn = (model: string, track: string, severity: string) => ({
        alertname: "LlmTimeToFirstTokenBudgetBurn",
        severity,
        namespace: "serving",
        mlserving_model: model,
        mlserving_track: track,
        long: severity === "critical" ? "1h" : "3d",
        short: severity === "critical" ? "5m" : "6h",
      });
      const got = await addAndQuery(
        [
          burn("support-llm", "stable", "critical"),
          burn("support-llm", "stable", "warning"),
          burn("support-llm", "canary", "warning"),
          burn("summarizer", "stable", "warning"),
        ],
        "LlmTimeToFirstTokenBudgetBurn",
      );
      expect(got).toEqual([
        "summarizer/stable/warning: active",
        "support-llm/canary/warning: active",
        "support-llm/stable/critical: active",
        "support-llm/stable/warning: suppressed",
      ]);
    });

    it("pages open one incident per model and track: one fault's pages share it, a second model gets its own", async () => {
      // Alertmanager sends each aggregation group to PagerDuty under one dedup key: a group is an incident.
      const page = (alertname: string, model: string, extra: Record<string, string> = {}) => ({
        alertname,
        severity: "critical",
        namespace: "fraud",
        mlserving_model: model,
        mlserving_track: "stable",
        ...extra,
      });
      const alerts = [
        // One fault of scorer: its engines die (errors, then no ready replica).
        page("LlmErrorRateHigh", "scorer"),
        page("ModelDown", "scorer"),
        // Later, a second model in the same namespace fails (old: it joined the first ModelDown group).
        page("ModelDown", "ranker"),
      ];
      for (const a of alerts) {
        const r = await run("amtool", [
          `--alertmanager.url=${url}`,
          "alert",
          "add",
          ...Object.entries(a).map(([k, v]) => `${k}=${v}`),
        ]);
        expect(r.status, r.output).toBe(0);
      }
      type Group = { receiver: { name: string }; alerts: { labels: Record<string, string> }[] };
      await dispatched();
      // One read, after the dispatcher has grouped every alert: the same process, no waiting on the clock.
      const groups = (await (
        await fetch(`${url}/api/v2/alerts/groups?filter=namespace%3D%22fraud%22`)
      ).json()) as Group[];
      const pages = groups
        .filter((g) => g.receiver.name === "page")
        .map((g) =>
          g.alerts
            .map((a) => `${a.labels.mlserving_model}:${a.labels.alertname}`)
            .sort()
            .join(" + "),
        )
        .sort();
      expect(pages).toEqual(["ranker:ModelDown", "scorer:LlmErrorRateHigh + scorer:ModelDown"]);
    });

    it("a page about one model silences that model's ticket of the same alert only", async () => {
      const burn = (model: string, track: string, severity: string) => ({
        alertname: "TritonLatencyBudgetBurn",
        severity,
        namespace: "serving",
        mlserving_model: model,
        mlserving_track: track,
        model,
        long: severity === "critical" ? "1h" : "3d",
      });
      const alerts = [
        burn("fraud-detector", "stable", "critical"),
        burn("fraud-detector", "stable", "warning"),
        burn("fraud-detector", "canary", "warning"),
        burn("recommender", "stable", "warning"),
      ];
      const got = await addAndQuery(alerts, "TritonLatencyBudgetBurn");
      expect(got).toEqual([
        "fraud-detector/canary/warning: active",
        "fraud-detector/stable/critical: active",
        "fraud-detector/stable/warning: suppressed",
        "recommender/stable/warning: active",
      ]);
    });
  });
});
