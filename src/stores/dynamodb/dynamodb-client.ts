/** Builds the DynamoDB client from config: region, an optional endpoint (DynamoDB Local, a VPC endpoint) and retry attempts. */

import { DynamoDBClient } from '@aws-sdk/client-dynamodb';

export interface DynamoDbClientOptions {
  region: string;
  endpoint?: string | undefined;
  /** Attempts per call, the first included; the SDK backs off between them. */
  maxAttempts?: number | undefined;
}

export function createDynamoDbClient(options: DynamoDbClientOptions): DynamoDBClient {
  if (typeof options.region !== 'string' || options.region.length === 0) throw new TypeError('DynamoDB: region must be a non-empty string');
  return new DynamoDBClient({
    region: options.region,
    ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
    ...(options.maxAttempts === undefined ? {} : { maxAttempts: options.maxAttempts }),
  });
}

/** The error's name for a failed call, whatever copy of the SDK made it (names are stable, classes may not be). */
export function awsErrorName(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && typeof (error as { name?: unknown }).name === 'string' ? (error as { name: string }).name : undefined;
}
