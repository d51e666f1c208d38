export const HDINSIGHT_ACTIONS = [
  'NEW',
  'UPDATE',
  'STATELESS_UPDATE',
  'LAST_STATE_UPDATE',
  'STOP',
  'START',
  'SAVEPOINT',
  'LIST_SAVEPOINT',
  'CANCEL',
  'DELETE',
  'RE_LAUNCH',
] as const;
export type FlinkAction = (typeof HDINSIGHT_ACTIONS)[number];
