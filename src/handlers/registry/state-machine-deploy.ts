import {
  CreateStateMachineAliasCommand,
  CreateStateMachineCommand,
  DescribeStateMachineCommand,
  ResourceNotFound,
  type SFNClient,
  StateMachineDoesNotExist,
  UpdateStateMachineAliasCommand,
  UpdateStateMachineCommand,
} from '@aws-sdk/client-sfn';

export const LIVE_ALIAS = 'live';

export interface StateMachineRelease {
  name: string;
  arn: string;
  definition: string;
  roleArn: string;
  /** Describes the version: the DAG's content hash, so a version can be traced to its file. */
  versionDescription: string;
}

export interface LiveVersion {
  stateMachineArn: string;
  versionArn: string;
  aliasArn: string;
}

async function exists(sfn: SFNClient, arn: string): Promise<boolean> {
  try {
    await sfn.send(new DescribeStateMachineCommand({ stateMachineArn: arn }));
    return true;
  } catch (error) {
    if (error instanceof StateMachineDoesNotExist) return false;
    throw error;
  }
}

/**
 * Creates or updates the state machine, publishes a version and points the `live` alias at it.
 * Executions already running keep the version they started on; new ones start on the alias.
 */
export async function publishLive(sfn: SFNClient, release: StateMachineRelease): Promise<LiveVersion> {
  const aliasArn = `${release.arn}:${LIVE_ALIAS}`;
  const routingConfiguration = (versionArn: string) => [{ stateMachineVersionArn: versionArn, weight: 100 }];
  if (!(await exists(sfn, release.arn))) {
    const created = await sfn.send(
      new CreateStateMachineCommand({
        name: release.name,
        type: 'STANDARD',
        definition: release.definition,
        roleArn: release.roleArn,
        publish: true,
        versionDescription: release.versionDescription,
      }),
    );
    const versionArn = created.stateMachineVersionArn!;
    await sfn.send(
      new CreateStateMachineAliasCommand({
        name: LIVE_ALIAS,
        routingConfiguration: routingConfiguration(versionArn),
      }),
    );
    return { stateMachineArn: created.stateMachineArn!, versionArn, aliasArn };
  }
  const updated = await sfn.send(
    new UpdateStateMachineCommand({
      stateMachineArn: release.arn,
      definition: release.definition,
      roleArn: release.roleArn,
      publish: true,
      versionDescription: release.versionDescription,
    }),
  );
  const versionArn = updated.stateMachineVersionArn!;
  try {
    await sfn.send(
      new UpdateStateMachineAliasCommand({
        stateMachineAliasArn: aliasArn,
        routingConfiguration: routingConfiguration(versionArn),
      }),
    );
  } catch (error) {
    if (!(error instanceof ResourceNotFound)) throw error;
    await sfn.send(
      new CreateStateMachineAliasCommand({
        name: LIVE_ALIAS,
        routingConfiguration: routingConfiguration(versionArn),
      }),
    );
  }
  return { stateMachineArn: release.arn, versionArn, aliasArn };
}
