/**
 * The checks every synthesis runs beyond CDK's own: cdk-nag's AwsSolutions pack, and CloudFormation
 * Guard with the AWS Control Tower proactive controls (the cfn-guard binary ships in the npm package,
 * so it runs offline). Controls that ask for another design than this one are switched off here, each
 * with its reason; findings about one resource are acknowledged next to that resource instead.
 */
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import {
  Validations,
  type App,
  type IPolicyValidationContextBeta1,
  type IPolicyValidationPluginBeta1,
  type PolicyValidationPluginReportBeta1,
} from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';

/** Control Tower controls that do not fit this pipeline, by rule file name, with the reason. */
export const GUARD_CONTROLS_NOT_APPLIED: Readonly<Record<string, string>> = {
  'ct-lambda-pr-3':
    'The functions call a public vendor API and regional AWS endpoints only; a VPC would add NAT gateways ' +
    'and endpoints (cost, cold starts) and protect nothing, since no function reaches a private resource.',
  'ct-cloudwatch-pr-2':
    'Log retention is a stage setting (retention.logDays: 14 days in dev, 90 in prod); records in the uploads ' +
    'table are the audit trail, and logs only help to debug.',
  'ct-cloudwatch-pr-3':
    'Logs carry no secrets or file contents (URLs are redacted before logging); CloudWatch encrypts log ' +
    'data at rest by default, and a customer key would add key policy work for every function and helper.',
  'ct-s3-pr-9':
    'Object Lock would forbid the deletions and version expiry the stage retention settings ask for; the ' +
    'upload bucket is versioned and prod retains it.',
  'ct-s3-pr-10':
    'SSE-S3 on purpose: the files end up publicly hosted in the library, and S3 server access log delivery ' +
    'cannot write to an SSE-KMS bucket.',
};

/**
 * The Guard plugin with a severity on every finding. Its findings carry none, and once any finding of
 * the report is acknowledged CDK recomputes the report's success from severities alone, so without one
 * an unacknowledged finding would pass silently.
 */
export class StrictCfnGuardValidator implements IPolicyValidationPluginBeta1 {
  readonly name: string;
  readonly version?: string;
  readonly ruleIds?: string[];
  private readonly inner: CfnGuardValidator;

  constructor(inner: CfnGuardValidator) {
    this.inner = inner;
    this.name = inner.name;
    this.version = inner.version;
    this.ruleIds = inner.ruleIds;
  }

  validate(context: IPolicyValidationContextBeta1): PolicyValidationPluginReportBeta1 {
    const report = this.inner.validate(context);
    return { ...report, violations: report.violations.map((v) => ({ ...v, severity: v.severity ?? 'error' })) };
  }
}

/** Adds cdk-nag and CloudFormation Guard to `app`: a finding neither fixed nor acknowledged fails synth. */
export function addPolicyChecks(app: App, options: { guard?: boolean } = {}): void {
  const plugins = [new AwsSolutionsChecks(app, { verbose: true })];
  Validations.of(app).addPlugins(...plugins);
  if (options.guard !== false) {
    const guard = new CfnGuardValidator({
      disabledRules: Object.keys(GUARD_CONTROLS_NOT_APPLIED),
      // Our templates are larger than Node's default 1 MB output buffer allows for the report.
      maxBuffer: 16 * 1024 * 1024,
    });
    Validations.of(app).addPlugins(new StrictCfnGuardValidator(guard));
  }
}
