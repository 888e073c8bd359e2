import type { StackValidationPolicy } from "@pulumi/policy";
import { kitConfigSchema } from "./config";

const LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup";

/**
 * Log groups keep their events for a bounded time and encrypt them with a customer-managed KMS
 * key: model servers and gateways log prompts and completions, which must neither stay forever
 * nor be readable by whoever reads the logs but not the key.
 */
export const logGroupsRetainedAndEncrypted: StackValidationPolicy = {
  name: "log-groups-retained-and-encrypted",
  description:
    "CloudWatch log groups set retentionInDays (not 0, which never expires; the DELIVERY class's " +
    "fixed 2 days count) and a customer-managed KMS key (kmsKeyId): logs may hold prompts and completions.",
  enforcementLevel: "mandatory",
  configSchema: kitConfigSchema,
  validateStack: (args, report) => {
    for (const g of args.resources.filter((r) => r.type === LOG_GROUP)) {
      const at = `log group ${g.props.name ?? g.name}`;
      // aws provider 7.48 (cloudwatch/logGroup.d.ts): 0 or unset never expires; DELIVERY forces 2 days.
      const retention = Number(g.props.retentionInDays ?? 0);
      if (g.props.logGroupClass !== "DELIVERY" && !(retention > 0))
        report(
          `${at} keeps its events forever (retentionInDays ${g.props.retentionInDays ?? "unset"}); set a retention (e.g. 30, 90 or 365 days).`,
          g.urn,
        );
      const key = g.props.kmsKeyId;
      if (key === undefined || key === null || key === "")
        report(
          `${at} has no customer-managed KMS key (kmsKeyId); encrypt it with a key whose policy lets logs.<region>.amazonaws.com use it.`,
          g.urn,
        );
    }
  },
};
