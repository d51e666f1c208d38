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

export interface PublishedVersion {
  stateMachineArn: string;
  versionArn: string;
  created: boolean;
}

/** Creates or updates the state machine and publishes a version of it; no alias is touched. */
export async function publishVersion(
  sfn: SFNClient,
  release: StateMachineRelease,
): Promise<PublishedVersion> {
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
    return {
      stateMachineArn: created.stateMachineArn!,
      versionArn: created.stateMachineVersionArn!,
      created: true,
    };
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
  return { stateMachineArn: release.arn, versionArn: updated.stateMachineVersionArn!, created: false };
}

/**
 * Creates or updates the state machine, publishes a version and points the `live` alias at it.
 * Executions already running keep the version they started on; new ones start on the alias.
 */
export async function publishLive(sfn: SFNClient, release: StateMachineRelease): Promise<LiveVersion> {
  const aliasArn = `${release.arn}:${LIVE_ALIAS}`;
  const { stateMachineArn, versionArn, created } = await publishVersion(sfn, release);
  const createAlias = () =>
    sfn.send(
      new CreateStateMachineAliasCommand({
        name: LIVE_ALIAS,
        routingConfiguration: [{ stateMachineVersionArn: versionArn, weight: 100 }],
      }),
    );
  if (created) {
    await createAlias();
    return { stateMachineArn, versionArn, aliasArn };
  }
  try {
    await sfn.send(
      new UpdateStateMachineAliasCommand({
        stateMachineAliasArn: aliasArn,
        routingConfiguration: [{ stateMachineVersionArn: versionArn, weight: 100 }],
      }),
    );
  } catch (error) {
    if (!(error instanceof ResourceNotFound)) throw error;
    await createAlias();
  }
  return { stateMachineArn, versionArn, aliasArn };
}
