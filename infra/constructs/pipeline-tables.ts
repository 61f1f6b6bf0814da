/**
 * The pipeline's state: the uploads table (source of truth and, through its stream, the outbox) and
 * the rate-limit table. Every table, key and index of the pipeline is defined here, in one place.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import {
  AttributeType,
  BillingMode,
  ProjectionType,
  StreamViewType,
  Table,
  TableEncryption,
  type TableProps,
} from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { UPLOADS_INDEXES, type UploadsIndex } from '../../shared/store/tables.ts';
import type { ResourceNames } from '../config/names.ts';

/** What the tables need. */
export interface PipelineTablesProps {
  readonly names: ResourceNames;
  /** The stage retains its records: the uploads table survives the stack, behind deletion protection. */
  readonly retainData: boolean;
}

/** Settings every table of the pipeline shares. */
const COMMON: Partial<TableProps> = {
  billingMode: BillingMode.PAY_PER_REQUEST,
  timeToLiveAttribute: 'expiresAt',
  // PITR costs next to nothing here and keeps the "PITR on every table" rule (cdk-nag DDB3).
  pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
  // The AWS managed key (aws/dynamodb) rather than the AWS owned key: key use shows in CloudTrail.
  encryption: TableEncryption.AWS_MANAGED,
};

/** The uploads table and the limits table. */
export class PipelineTables extends Construct {
  readonly uploads: Table;
  readonly limits: Table;

  constructor(scope: Construct, id: string, { names, retainData }: PipelineTablesProps) {
    super(scope, id);

    // No fixed name: a retained table would otherwise block the next deployment of a deleted stack.
    this.uploads = new Table(this, 'Uploads', {
      ...COMMON,
      partitionKey: { name: 'objectId', type: AttributeType.STRING },
      // The publisher needs the new image (the final record) and the old one (to see the status change).
      stream: StreamViewType.NEW_AND_OLD_IMAGES,
      deletionProtection: retainData,
      removalPolicy: retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    // The indexes are declared once, for this stack and for the local tables alike.
    for (const index of Object.values(UPLOADS_INDEXES) as UploadsIndex[]) {
      this.uploads.addGlobalSecondaryIndex({
        indexName: index.name,
        partitionKey: { name: index.partitionKey, type: AttributeType.STRING },
        ...(index.sortKey === undefined ? {} : { sortKey: { name: index.sortKey, type: AttributeType.STRING } }),
        projectionType: ProjectionType.ALL,
      });
    }

    // The token bucket shared by every function. No stream (token updates must not wake the publisher);
    // its state is worthless after a day, so it is never retained and may keep a fixed name.
    this.limits = new Table(this, 'Limits', {
      ...COMMON,
      tableName: names.limitsTable,
      partitionKey: { name: 'pk', type: AttributeType.STRING },
      removalPolicy: RemovalPolicy.DESTROY,
    });
  }
}
