/**
 * Puts work back on a queue as a fresh message with a delay: how limits, credential problems and
 * transient faults are waited out without using up the original message's receives (see
 * shared/retry/retry-policy.ts). The original is then reported as processed.
 */
import { GetQueueUrlCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { SQS_MAX_DELAY_SECONDS } from '../retry/backoff.ts';

/** Sends `body` as ASCII JSON with a delay clamped to what SQS allows (0-900 s). */
export async function sendDelayed(
  sqs: SQSClient,
  queueUrl: string,
  body: unknown,
  delaySeconds: number,
): Promise<void> {
  const delay = Math.max(0, Math.min(SQS_MAX_DELAY_SECONDS, Math.round(delaySeconds)));
  await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: asciiJson(body), DelaySeconds: delay }));
}

/**
 * JSON with every non-ASCII character written as a `\uXXXX` escape. SQS only accepts some Unicode
 * ranges in a body (and some implementations refuse characters outside the BMP, e.g. an emoji in an
 * S3 key); an all-ASCII body is always accepted, and JSON.parse gives back the same strings.
 */
export function asciiJson(value: unknown): string {
  return JSON.stringify(value).replace(
    /[\u007f-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/**
 * The URL of the queue a Lambda event came from, from its `eventSourceARN`
 * (`arn:aws:sqs:REGION:ACCOUNT:NAME`), asked once per queue and cached: the function then needs no
 * extra configuration to re-send to its own queue (the stack grants it sqs:SendMessage on it).
 */
export class QueueUrlResolver {
  private readonly cache = new Map<string, Promise<string>>();

  constructor(private readonly sqs: SQSClient) {}

  resolve(queueArn: string): Promise<string> {
    let url = this.cache.get(queueArn);
    if (url === undefined) {
      const [, , , , account, name] = queueArn.split(':');
      if (!name) return Promise.reject(new Error(`Not an SQS queue ARN: ${queueArn}`));
      url = this.sqs
        .send(new GetQueueUrlCommand({ QueueName: name, ...(account ? { QueueOwnerAWSAccountId: account } : {}) }))
        .then((result) => {
          if (!result.QueueUrl) throw new Error(`No URL for queue ${queueArn}`);
          return result.QueueUrl;
        });
      url.catch(() => this.cache.delete(queueArn));
      this.cache.set(queueArn, url);
    }
    return url;
  }
}
