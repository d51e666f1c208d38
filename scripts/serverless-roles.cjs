// IAM statement pieces serverless.yml repeats across the Lambda roles, built once here.
// Every Resource is scoped to this service's own names; no action is a wildcard.
'use strict';

const sub = (text) => ({ 'Fn::Sub': text });

module.exports = async ({ resolveVariable }) => {
  const prefix = await resolveVariable('self:custom.prefix');
  const smPrefix = await resolveVariable('self:custom.secretsManagerPrefix');
  const ssmPrefix = await resolveVariable('self:custom.ssmPrefix');
  const logs = (...functions) => ({
    Effect: 'Allow',
    Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
    Resource: functions.map((fn) =>
      sub(
        `arn:\${AWS::Partition}:logs:\${AWS::Region}:\${AWS::AccountId}:log-group:/aws/lambda/${prefix}-${fn}:*`,
      ),
    ),
  });
  return {
    lambdaTrust: {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' },
      ],
    },
    logs: {
      task: logs('task'),
      gate: logs('gate'),
      registerDag: logs('registerDag'),
      api: logs('api'),
      runs: logs('scheduledRun', 'dataTrigger', 'runFinished'),
    },
    // The task handler's aws_secrets_manager and aws_ssm backends (src/clients/secrets.ts).
    secretsRead: {
      Effect: 'Allow',
      Action: ['secretsmanager:GetSecretValue', 'ssm:GetParameter'],
      Resource: [
        sub(`arn:\${AWS::Partition}:secretsmanager:\${AWS::Region}:\${AWS::AccountId}:secret:${smPrefix}/*`),
        sub(
          `arn:\${AWS::Partition}:ssm:\${AWS::Region}:\${AWS::AccountId}:parameter/${ssmPrefix.replace(/^\//, '')}/*`,
        ),
      ],
    },
    listRegistry: {
      Effect: 'Allow',
      Action: 's3:ListBucket',
      Resource: { 'Fn::GetAtt': ['DagBucket', 'Arn'] },
      Condition: { StringLike: { 's3:prefix': ['registry/*'] } },
    },
  };
};
