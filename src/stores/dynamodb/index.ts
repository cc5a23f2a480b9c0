/** The DynamoDB store's public modules: what code outside the store may use of it (the layer test enforces this). */

export { createDynamoDbClient, awsErrorName, type DynamoDbClientOptions } from './dynamodb-client.js';
export { ensureDynamoDbTable, tableDefinition, type EnsureTableOutcome } from './dynamodb-table.js';
