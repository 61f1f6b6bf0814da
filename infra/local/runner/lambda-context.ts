/**
 * The `context` object Lambda passes to a handler, for handlers invoked in this process.
 *
 * `getRemainingTimeInMillis()` counts down from the function's configured timeout (from the stage
 * config), so code that budgets its work by the remaining time (ingest stops taking new files near the
 * end) behaves as it would on AWS. Every invocation gets a fresh `awsRequestId`.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import { LOCAL_ACCOUNT_ID, LOCAL_REGION } from '../emulators/aws-endpoints.ts';

/** What a function's context is built from: its name, timeout and memory in the stage config. */
export interface LocalFunctionSettings {
  /** Physical function name, e.g. `library-upload-dev-ingest` (from `resourceNames(stage)`). */
  functionName: string;
  timeoutSeconds: number;
  memoryMb: number;
  region?: string;
  account?: string;
}

/** Lambda's context, with the moment the invocation times out. */
export interface LocalContext extends Context {
  /** When the invocation times out (ms since the epoch). */
  readonly deadline: number;
}

/** A context for one invocation that starts now. */
export function createLambdaContext(settings: LocalFunctionSettings, now: () => number = Date.now): LocalContext {
  const region = settings.region ?? LOCAL_REGION;
  const account = settings.account ?? LOCAL_ACCOUNT_ID;
  const deadline = now() + settings.timeoutSeconds * 1000;
  const day = new Date(now()).toISOString().slice(0, 10).replace(/-/g, '/');
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: settings.functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${region}:${account}:function:${settings.functionName}`,
    memoryLimitInMB: String(settings.memoryMb),
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${settings.functionName}`,
    logStreamName: `${day}/[$LATEST]${randomBytes(16).toString('hex')}`,
    deadline,
    getRemainingTimeInMillis: () => Math.max(0, deadline - now()),
    // The callback-style completions are not used by async handlers; Lambda keeps them for old code.
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** Thrown (as the invocation's outcome) when a handler runs past its timeout. */
export class InvocationTimeoutError extends Error {
  override readonly name = 'InvocationTimeoutError';
}

/**
 * Runs one invocation. Like Lambda, a handler still running at its timeout counts as failed
 * (`InvocationTimeoutError`). Unlike Lambda, the handler cannot be frozen: its promise keeps running in
 * this process, and its late result is ignored.
 */
export async function invokeHandler<TEvent, TResult>(
  handler: (event: TEvent, context: Context) => Promise<TResult>,
  event: TEvent,
  settings: LocalFunctionSettings,
): Promise<TResult> {
  const context = createLambdaContext(settings);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new InvocationTimeoutError(`${settings.functionName} timed out after ${settings.timeoutSeconds} s`)),
      settings.timeoutSeconds * 1000,
    );
  });
  try {
    return await Promise.race([handler(event, context), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
