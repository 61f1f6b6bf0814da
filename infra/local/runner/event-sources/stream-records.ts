/**
 * DynamoDB Streams API records in the shape Lambda delivers them to a function: epoch-second creation
 * time, binary attributes in base64, the table's region instead of DynamoDB Local's `ddblocal`.
 */
import type { AttributeValue, _Record } from '@aws-sdk/client-dynamodb-streams';
import type { AttributeValue as LambdaAttributeValue, DynamoDBRecord } from 'aws-lambda';
import { LOCAL_REGION } from '../../emulators/aws-endpoints.ts';

/** A DynamoDB Streams API record in the shape Lambda delivers it. */
export function toLambdaRecord(record: _Record, streamArn: string, region: string = LOCAL_REGION): DynamoDBRecord {
  const data = record.dynamodb ?? {};
  const dynamodb: NonNullable<DynamoDBRecord['dynamodb']> = {};
  if (data.ApproximateCreationDateTime !== undefined) {
    dynamodb.ApproximateCreationDateTime = Math.floor(new Date(data.ApproximateCreationDateTime).getTime() / 1000);
  }
  if (data.Keys) dynamodb.Keys = toLambdaImage(data.Keys);
  if (data.NewImage) dynamodb.NewImage = toLambdaImage(data.NewImage);
  if (data.OldImage) dynamodb.OldImage = toLambdaImage(data.OldImage);
  if (data.SequenceNumber !== undefined) dynamodb.SequenceNumber = data.SequenceNumber;
  if (data.SizeBytes !== undefined) dynamodb.SizeBytes = data.SizeBytes;
  if (data.StreamViewType !== undefined) dynamodb.StreamViewType = data.StreamViewType;
  const result: DynamoDBRecord = {
    eventID: record.eventID ?? '',
    eventName: record.eventName ?? 'MODIFY',
    eventVersion: record.eventVersion ?? '1.1',
    eventSource: 'aws:dynamodb',
    // DynamoDB Local says `ddblocal`; Lambda reports the table's region.
    awsRegion: region,
    dynamodb,
    eventSourceARN: streamArn,
  };
  return result;
}

function toLambdaImage(image: Record<string, AttributeValue>): Record<string, LambdaAttributeValue> {
  return Object.fromEntries(Object.entries(image).map(([name, value]) => [name, toLambdaValue(value)]));
}

function toLambdaValue(value: AttributeValue): LambdaAttributeValue {
  if (value.B !== undefined) return { B: Buffer.from(value.B).toString('base64') };
  if (value.BS !== undefined) return { BS: value.BS.map((b) => Buffer.from(b).toString('base64')) };
  if (value.M !== undefined) return { M: toLambdaImage(value.M) };
  if (value.L !== undefined) return { L: value.L.map(toLambdaValue) };
  return value as LambdaAttributeValue;
}
