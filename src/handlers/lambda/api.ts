import middy from '@middy/core';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { handleApiRequest } from '../api/routes.ts';
import { runDeps } from './deployment.ts';

/**
 * The HTTP API; cancel calls the task handler's cancel op in-process to stop the run's jobs. The
 * task handler (job clients, operators) loads on the first cancel only.
 */
export const handler = middy(async (event: APIGatewayProxyEventV2) =>
  handleApiRequest(
    {
      ...runDeps(),
      cancelJob: async (invocation) => (await import('../task.ts')).handleTask(invocation),
    },
    event,
  ),
);
