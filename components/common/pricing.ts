/**
 * The kit's pinned, dated price table: the list prices the offline plan's cost envelope uses.
 * Pure data; no Pulumi imports. Every figure names where it was read and the date the source
 * gives for it. Prices are USD, Linux, on-demand, before tax, credits, Savings Plans or
 * Reserved Instances.
 *
 * Regions priced: us-east-1 and us-west-2 (the regions the shipped stacks use). Other regions are
 * not in the table: the envelope of a stack elsewhere lists its lines as unpriced rather than
 * borrowing another region's figures. eu-west-1 is not priced yet (its EC2 rates differ from the
 * US ones and no pinned per-type source was available offline).
 *
 * Spot is never quoted: {@link SPOT_DISCOUNT_ASSUMPTION} is an assumption about the discount,
 * and spot lines are reported as a range under it.
 */

/** AWS bills a month as 730 hours in its calculators; so does the envelope. */
export const HOURS_PER_MONTH = 730;

export const PRICE_TABLE_DATE = "2026-07-20";

export interface PriceSource {
  url: string;
  /** Date the source gives for the figure (or the generation date of generated data). */
  asOf: string;
  /** primary: AWS (its pages, or data generated from the AWS Price List API); secondary: a third party quoting AWS. */
  kind: "primary" | "secondary";
  note?: string;
}

export interface Price {
  usd: number;
  unit: string;
  source: PriceSource;
}

export interface RegionPriceTable {
  region: string;
  /** EKS control plane, Kubernetes version in standard support. */
  eksClusterHour: Price;
  natGatewayHour: Price;
  natGatewayDataGB: Price;
  /** Public IPv4 address (each NAT gateway holds one Elastic IP). */
  publicIpv4Hour: Price;
  albHour: Price;
  albLcuHour: Price;
  /** Network Load Balancer (the LLM gateway's). */
  nlbHour: Price;
  nlbLcuHour: Price;
  ebsGp3GBMonth: Price;
  /** EBS fast snapshot restore, per snapshot per Availability Zone it is enabled in; absent where the table has no source. */
  ebsFastSnapshotRestoreDsuHour?: Price;
  /** RDS for PostgreSQL, Single-AZ, per DB instance class. Multi-AZ (one standby) bills twice. */
  rdsPostgresInstanceHour: Record<string, Price>;
  /** RDS gp3 storage, Single-AZ. Multi-AZ bills the standby's copy too. */
  rdsGp3GBMonth: Price;
  cloudwatchLogsIngestGB: Price;
  cloudwatchLogsStorageGBMonth: Price;
  /** Customer managed KMS key (each rotation adds a backing key at the same rate). */
  kmsKeyMonth: Price;
  /** ECR private repository storage (the images an ECR pull-through cache holds). */
  ecrStorageGBMonth: Price;
  /** Route 53 hosted zone (public or private), first 25 of an account; queries to alias records of load balancers are free. */
  route53HostedZoneMonth: Price;
  /** EC2 on-demand Linux, per instance type, USD per hour. */
  ec2OnDemandHour: Record<string, number>;
  ec2Source: PriceSource;
}

/**
 * Assumed spot discount off on-demand, used to show what spot lines may cost: a range, not a
 * quote. AWS advertises "up to 90%" off; accelerator types usually trade nearer the low end and
 * move with demand, so the envelope assumes 40% to 70% off. Spot never costs more than on-demand,
 * so every ceiling is priced on-demand.
 */
export const SPOT_DISCOUNT_ASSUMPTION = {
  low: 0.4,
  high: 0.7,
  source: {
    url: "https://aws.amazon.com/ec2/spot/pricing/",
    asOf: "2026-07-20",
    kind: "primary",
    note: "AWS states Spot is available at up to 90% off On-Demand; the 40-70% band is the kit's assumption",
  } satisfies PriceSource,
} as const;

const KARPENTER_PRICING: PriceSource = {
  url: "https://github.com/aws/karpenter-provider-aws/blob/6fc13b5236fd04fd16ff3f9dc7490d0813994099/pkg/providers/pricing/zz_generated.pricing_aws.go",
  asOf: "2026-07-20",
  kind: "primary",
  note: "Karpenter's initial on-demand prices, generated from the AWS Price List API at 2026-07-20T13:44:30Z for us-east-1",
};

/** us-east-1 EC2 on-demand Linux USD/hour, every catalogued type (components/common/instance-types.ts). */
const EC2_US_EAST_1: Record<string, number> = {
  "g4dn.xlarge": 0.526,
  "g4dn.2xlarge": 0.752,
  "g4dn.4xlarge": 1.204,
  "g4dn.8xlarge": 2.176,
  "g4dn.12xlarge": 3.912,
  "g4dn.16xlarge": 4.352,
  "g4dn.metal": 7.824,
  "g5.xlarge": 1.006,
  "g5.2xlarge": 1.212,
  "g5.4xlarge": 1.624,
  "g5.8xlarge": 2.448,
  "g5.12xlarge": 5.672,
  "g5.16xlarge": 4.096,
  "g5.24xlarge": 8.144,
  "g5.48xlarge": 16.288,
  "g6.xlarge": 0.8048,
  "g6.2xlarge": 0.9776,
  "g6.4xlarge": 1.3232,
  "g6.8xlarge": 2.0144,
  "g6.12xlarge": 4.6016,
  "g6.16xlarge": 3.3968,
  "g6.24xlarge": 6.6752,
  "g6.48xlarge": 13.3504,
  "g6e.xlarge": 1.861,
  "g6e.2xlarge": 2.24208,
  "g6e.4xlarge": 3.00424,
  "g6e.8xlarge": 4.52856,
  "g6e.12xlarge": 10.49264,
  "g6e.16xlarge": 7.57719,
  "g6e.24xlarge": 15.06559,
  "g6e.48xlarge": 30.13118,
  "inf1.xlarge": 0.228,
  "inf1.2xlarge": 0.362,
  "inf1.6xlarge": 1.18,
  "inf1.24xlarge": 4.721,
  "inf2.xlarge": 0.7582,
  "inf2.8xlarge": 1.96786,
  "inf2.24xlarge": 6.49063,
  "inf2.48xlarge": 12.98127,
  "m6i.large": 0.096,
  "m6i.xlarge": 0.192,
  "m6i.2xlarge": 0.384,
  "m6i.4xlarge": 0.768,
  "m6i.8xlarge": 1.536,
  "m6i.12xlarge": 2.304,
  "m6i.16xlarge": 3.072,
  "m6i.24xlarge": 4.608,
  "m6i.32xlarge": 6.144,
  "m7i.large": 0.1008,
  "m7i.xlarge": 0.2016,
  "m7i.2xlarge": 0.4032,
  "m7i.4xlarge": 0.8064,
  "m7i.8xlarge": 1.6128,
  "m7i.12xlarge": 2.4192,
  "m7i.16xlarge": 3.2256,
  "m7i.24xlarge": 4.8384,
  "m7i.48xlarge": 9.6768,
  "p4d.24xlarge": 21.957642,
  "p5.4xlarge": 6.88,
  "p5.48xlarge": 55.04,
  "trn1.2xlarge": 1.34375,
  "trn1.32xlarge": 21.5,
};

const price = (usd: number, unit: string, source: PriceSource): Price => ({ usd, unit, source });

const EKS_PRICING: PriceSource = {
  url: "https://aws.amazon.com/eks/pricing/",
  asOf: "2026-03-13",
  kind: "primary",
  note:
    "$0.10 per cluster-hour in standard support (AWS Containers blog, 'Amazon EKS extended support " +
    "for Kubernetes versions pricing'; unchanged per cloudburn.io, March 2026); the same in every commercial region",
};
const VPC_PRICING: PriceSource = {
  url: "https://aws.amazon.com/vpc/pricing/",
  asOf: "2026-02-24",
  kind: "secondary",
  note:
    "NAT gateway $0.045/hour and $0.045/GB processed, public IPv4 $0.005/hour, in US East and US " +
    "West (read in cloudburn.io 'AWS NAT Gateway Pricing' and cloudpipelines.pages.dev 'AWS NAT " +
    "Gateway pricing 2026')",
};
const ELB_PRICING: PriceSource = {
  url: "https://aws.amazon.com/elasticloadbalancing/pricing/",
  asOf: "2026-05-08",
  kind: "secondary",
  note: "ALB $0.0225 per ALB-hour and $0.008 per LCU-hour (read in cloud-horizons.com 'ALB: the line item nobody watches', May 2026)",
};
const NLB_PRICING: PriceSource = {
  url: "https://aws.amazon.com/elasticloadbalancing/pricing/",
  asOf: "2026-05-01",
  kind: "secondary",
  note: "NLB $0.0225 per NLB-hour and $0.006 per NLCU-hour (awsnegotiations.com 'Elastic Load Balancer Cost', May 2026)",
};
const EBS_PRICING: PriceSource = {
  url: "https://aws.amazon.com/ebs/pricing/",
  asOf: "2026-04-01",
  kind: "secondary",
  note: "gp3 $0.08/GB-month with 3,000 IOPS and 125 MB/s included (read in a public pricing fallback table, us-east-1, April 2026)",
};
const FSR_PRICING: PriceSource = {
  url: "https://docs.aws.amazon.com/whitepapers/latest/how-aws-pricing-works/amazon-ebs.html",
  asOf: "2026-12-06",
  kind: "primary",
  note:
    "Amazon EBS Fast Snapshot Restore is charged in Data Services Unit-Hours (DSUs) for each Availability " +
    "Zone in which it is enabled, billed per minute with a one-hour minimum; one FSR DSU-hour is " +
    "$0.75 per Availability Zone (us-east-1)",
};
const RDS_PRICING: PriceSource = {
  url: "https://aws.amazon.com/rds/postgresql/pricing/",
  asOf: "2026-06-01",
  kind: "secondary",
  note:
    "PostgreSQL Single-AZ db.t4g.medium $0.065/hour (infratally.com 'AWS RDS pricing explained " +
    "2026'), db.m7g.large $0.168/hour (public pricing tables, April 2026), gp3 storage $0.115/GB-month " +
    "(usage.ai RDS pricing calculator, June 2026); Multi-AZ bills instance and storage twice",
};
const CLOUDWATCH_PRICING: PriceSource = {
  url: "https://aws.amazon.com/cloudwatch/pricing/",
  asOf: "2026-06-01",
  kind: "secondary",
  note: "Logs ingestion $0.50/GB (standard class) and storage $0.03/GB-month in us-east-1 (hykell.com 'CloudWatch Logs pricing'; factualminds.com, June 2026)",
};
const KMS_PRICING: PriceSource = {
  url: "https://aws.amazon.com/kms/pricing/",
  asOf: "2026-03-14",
  kind: "primary",
  note: "each KMS key $1/month (prorated hourly); each automatic rotation adds $1/month for the new backing key",
};

const ECR_PRICING: PriceSource = {
  url: "https://aws.amazon.com/ecr/pricing/",
  asOf: "2026-07-20",
  kind: "primary",
  note: "storage $0.10 per GB-month in private or public repositories; data transferred from ECR to EC2 in the same Region is free",
};

const ROUTE53_PRICING: PriceSource = {
  url: "https://aws.amazon.com/route53/pricing/",
  asOf: "2026-09-20",
  kind: "secondary",
  note:
    "$0.50 per hosted zone per month for the first 25 hosted zones, $0.10 beyond; Route 53 is a " +
    "global service (one rate everywhere); alias queries to ELB load balancers are not charged. " +
    "Transcribed from the AWS page by api-evangelist/amazon-route53-resolver plans/amazon-route53-resolver-plans-pricing.yml",
};

const US_EAST_1: RegionPriceTable = {
  region: "us-east-1",
  eksClusterHour: price(0.1, "cluster-hour", EKS_PRICING),
  natGatewayHour: price(0.045, "gateway-hour", VPC_PRICING),
  natGatewayDataGB: price(0.045, "GB processed", VPC_PRICING),
  publicIpv4Hour: price(0.005, "address-hour", VPC_PRICING),
  albHour: price(0.0225, "ALB-hour", ELB_PRICING),
  albLcuHour: price(0.008, "LCU-hour", ELB_PRICING),
  nlbHour: price(0.0225, "NLB-hour", NLB_PRICING),
  nlbLcuHour: price(0.006, "NLCU-hour", NLB_PRICING),
  ebsGp3GBMonth: price(0.08, "GB-month", EBS_PRICING),
  ebsFastSnapshotRestoreDsuHour: price(0.75, "snapshot-AZ-hour", FSR_PRICING),
  rdsPostgresInstanceHour: {
    "db.t4g.medium": price(0.065, "instance-hour", RDS_PRICING),
    "db.m7g.large": price(0.168, "instance-hour", RDS_PRICING),
  },
  rdsGp3GBMonth: price(0.115, "GB-month", RDS_PRICING),
  cloudwatchLogsIngestGB: price(0.5, "GB ingested", CLOUDWATCH_PRICING),
  cloudwatchLogsStorageGBMonth: price(0.03, "GB-month", CLOUDWATCH_PRICING),
  kmsKeyMonth: price(1, "key-month", KMS_PRICING),
  ecrStorageGBMonth: price(0.1, "GB-month", ECR_PRICING),
  route53HostedZoneMonth: price(0.5, "zone-month", ROUTE53_PRICING),
  ec2OnDemandHour: EC2_US_EAST_1,
  ec2Source: KARPENTER_PRICING,
};

const PARITY_NOTE =
  "us-west-2 lists the same rate as us-east-1 for this line; taken from the us-east-1 source above (confirm on the page)";
const parity = (p: Price): Price => ({ ...p, source: { ...p.source, note: `${p.source.note ?? ""}; ${PARITY_NOTE}` } });

const US_WEST_2: RegionPriceTable = {
  region: "us-west-2",
  eksClusterHour: US_EAST_1.eksClusterHour,
  natGatewayHour: US_EAST_1.natGatewayHour,
  natGatewayDataGB: US_EAST_1.natGatewayDataGB,
  publicIpv4Hour: US_EAST_1.publicIpv4Hour,
  albHour: parity(US_EAST_1.albHour),
  albLcuHour: parity(US_EAST_1.albLcuHour),
  nlbHour: parity(US_EAST_1.nlbHour),
  nlbLcuHour: parity(US_EAST_1.nlbLcuHour),
  ebsGp3GBMonth: parity(US_EAST_1.ebsGp3GBMonth),
  rdsPostgresInstanceHour: Object.fromEntries(
    Object.entries(US_EAST_1.rdsPostgresInstanceHour).map(([k, p]) => [k, parity(p)]),
  ),
  rdsGp3GBMonth: parity(US_EAST_1.rdsGp3GBMonth),
  cloudwatchLogsIngestGB: parity(US_EAST_1.cloudwatchLogsIngestGB),
  cloudwatchLogsStorageGBMonth: parity(US_EAST_1.cloudwatchLogsStorageGBMonth),
  kmsKeyMonth: US_EAST_1.kmsKeyMonth,
  ecrStorageGBMonth: parity(US_EAST_1.ecrStorageGBMonth),
  route53HostedZoneMonth: US_EAST_1.route53HostedZoneMonth,
  ec2OnDemandHour: EC2_US_EAST_1,
  ec2Source: {
    ...KARPENTER_PRICING,
    note:
      "the Price List API publishes the same Linux on-demand rates in us-west-2 as in us-east-1 for " +
      "these families; checked on the SkyPilot AWS catalogue (skypilot-org/skypilot-catalog catalogs/v8/aws/vms.csv " +
      "@ 00148f2af3672e2229b4f7bf8157d5a3f36e3c35) for g4dn.2xlarge, g5.xlarge, g5.8xlarge, g5.16xlarge and the m5a family",
  },
};

const TABLE: Readonly<Record<string, RegionPriceTable>> = { "us-east-1": US_EAST_1, "us-west-2": US_WEST_2 };

/** Regions the table prices. */
export const PRICED_REGIONS: readonly string[] = Object.keys(TABLE);

/** The price table of a region, or undefined when the kit does not price it. */
export function regionPrices(region: string): RegionPriceTable | undefined {
  return TABLE[region];
}

/** On-demand USD/hour of an instance type in a region, or undefined when unpriced. */
export function onDemandHourly(region: string, instanceType: string): number | undefined {
  return TABLE[region]?.ec2OnDemandHour[instanceType];
}
