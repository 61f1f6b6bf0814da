/**
 * The library credentials secret: created with a placeholder that an operator replaces
 * (docs/deploy.md), or an existing secret imported by name. CloudFormation only writes the value when
 * this template property changes, so later deployments keep the real credentials: never change the
 * placeholder. A created secret gets a generated name (a retained one must not block a re-deployment);
 * the stack outputs its ARN and name.
 */
import { SecretValue, type RemovalPolicy } from 'aws-cdk-lib';
import { Secret, type ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { StageConfig } from '../config/types.ts';
import { acknowledge } from './acknowledge.ts';

/** The value the created secret starts with; `docs/deploy.md` shows how to put the real one. */
export const SECRET_PLACEHOLDER = { apiKey: 'REPLACE_ME', accessToken: 'REPLACE_ME' } as const;

/** What the secret needs. */
export interface LibraryCredentialsProps {
  readonly config: StageConfig;
  readonly removalPolicy: RemovalPolicy;
}

/** The secret the functions read `{"apiKey","accessToken"}` from. */
export class LibraryCredentials extends Construct {
  readonly secret: ISecret;
  /** What the functions are told: the imported secret's name, or the created one's ARN. */
  readonly secretId: string;

  constructor(scope: Construct, id: string, { config, removalPolicy }: LibraryCredentialsProps) {
    super(scope, id);
    const source = config.library.secret;
    if (source.kind === 'import') {
      this.secret = Secret.fromSecretNameV2(this, 'Imported', source.secretName);
      this.secretId = source.secretName;
      return;
    }
    const created = new Secret(this, 'Secret', {
      description: `Constant Contact MyLibrary credentials for the ${config.stage} upload pipeline: {"apiKey","accessToken"}`,
      secretObjectValue: {
        apiKey: SecretValue.unsafePlainText(SECRET_PLACEHOLDER.apiKey),
        accessToken: SecretValue.unsafePlainText(SECRET_PLACEHOLDER.accessToken),
      },
      removalPolicy,
    });
    acknowledge(
      created,
      'AwsSolutions-SMG4',
      'The secret holds a Constant Contact API key and a long-lived OAuth access token issued in the vendor ' +
        'portal; no Lambda can mint new ones, so rotation is the manual runbook in docs/deploy.md.',
    );
    this.secret = created;
    this.secretId = created.secretArn;
  }
}
