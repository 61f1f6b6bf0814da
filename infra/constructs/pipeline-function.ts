/**
 * One pipeline function: a Node.js 24 arm64 Lambda bundled locally by esbuild into a minified ES module
 * with source maps and the AWS SDK v3 inside, its own log group (retention set, removed with the stack
 * unless the stage retains data; its name is generated, so a retained one never blocks a re-deployment)
 * and its own role, which starts with nothing but the right to write to
 * that log group. The stack adds every other permission as a grant.
 */
import { join } from 'node:path';
import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { LogLevel, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { FunctionSettings } from '../config/types.ts';
import { aliasArgs, BUNDLE_DEFINE, BUNDLE_EXTERNAL } from './bundling/function-bundling.ts';

/**
 * esbuild's ESM output has no `require`; a few CommonJS dependencies bundled into it still call it (for
 * Node built-ins). The banner gives them one. The alias avoids clashing with a bundled `createRequire`.
 */
export const ESM_REQUIRE_BANNER =
  "import { createRequire as __pipelineCreateRequire } from 'node:module'; const require = __pipelineCreateRequire(import.meta.url);";

/** Node.js flags every pipeline function runs with: stack traces mapped to the TypeScript sources. */
export const BASE_NODE_OPTIONS: readonly string[] = ['--enable-source-maps'];

/** One function's code, settings and environment. */
export interface PipelineFunctionProps {
  /** The repository root: where package-lock.json and tsconfig.json live. */
  readonly projectRoot: string;
  /** The handler file, relative to the project root, exporting `handler`. */
  readonly entry: string;
  readonly functionName: string;
  readonly description: string;
  readonly settings: FunctionSettings;
  readonly environment: Readonly<Record<string, string>>;
  /** Node.js flags beyond BASE_NODE_OPTIONS, for NODE_OPTIONS. */
  readonly nodeOptions?: readonly string[];
  readonly logRetention: RetentionDays;
  readonly logRemovalPolicy: RemovalPolicy;
}

/** A pipeline Lambda with its role and log group. */
export class PipelineFunction extends Construct {
  readonly function: NodejsFunction;
  readonly role: Role;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: PipelineFunctionProps) {
    super(scope, id);

    this.logGroup = new LogGroup(this, 'Logs', {
      retention: props.logRetention,
      removalPolicy: props.logRemovalPolicy,
    });

    // An explicit role instead of the default one: the default attaches the AWS managed
    // AWSLambdaBasicExecutionRole, which may create and write to any log group in the account.
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of ${props.functionName}`,
    });
    this.logGroup.grantWrite(this.role);

    this.function = new NodejsFunction(this, 'Function', {
      functionName: props.functionName,
      description: props.description,
      entry: join(props.projectRoot, props.entry),
      handler: 'handler',
      projectRoot: props.projectRoot,
      depsLockFilePath: join(props.projectRoot, 'package-lock.json'),
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: props.settings.memoryMb,
      timeout: Duration.seconds(props.settings.timeoutSeconds),
      reservedConcurrentExecutions: props.settings.reservedConcurrency,
      role: this.role,
      logGroup: this.logGroup,
      tracing: Tracing.ACTIVE,
      environment: {
        ...props.environment,
        NODE_OPTIONS: [...BASE_NODE_OPTIONS, ...(props.nodeOptions ?? [])].join(' '),
      },
      bundling: {
        forceDockerBundling: false,
        format: OutputFormat.ESM,
        target: 'node24',
        mainFields: ['module', 'main'],
        banner: ESM_REQUIRE_BANNER,
        minify: true,
        sourceMap: true,
        // Line numbers are what a stack trace needs; embedding the sources would double the bundle.
        sourcesContent: false,
        // Bundle AWS SDK v3 rather than use the runtime's copy: the version we test is the version we run.
        bundleAwsSDK: true,
        // Nothing external but what Lambda never runs (function-bundling.ts says what and why).
        externalModules: [...BUNDLE_EXTERNAL],
        define: { ...BUNDLE_DEFINE },
        esbuildArgs: aliasArgs(),
        tsconfig: join(props.projectRoot, 'tsconfig.json'),
        logLevel: LogLevel.WARNING,
      },
    });
  }
}
