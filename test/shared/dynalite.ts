import { type LocalDynamo, startLocalDynamo } from '../../src/local/aws/local-dynamodb.ts';

export type { LocalDynamo };

/** dynalite in memory, with TransactWriteItems and one table keyed like the runs table (string `pk`, `sk`). */
export const startDynamo = (table: string): Promise<LocalDynamo> => startLocalDynamo({ table });
