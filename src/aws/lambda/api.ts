import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { apiRouter } from '../../runs/api/router.ts';
import { apiBackend } from './deployment.ts';

/**
 * Airflow's REST API v2 (`/api/v2/{proxy+}` on the HTTP API, IAM authorisation on every route):
 * the cloud-neutral router over the AWS backend (src/aws/api-backend.ts). Cancel calls the task
 * handler's cancel op in-process to stop the run's jobs; the task handler loads on the first cancel.
 */
let route: ReturnType<typeof apiRouter> | undefined;

export async function handleApiEvent(
  event: APIGatewayProxyEventV2,
  router = (route ??= apiRouter(apiBackend())),
): Promise<APIGatewayProxyStructuredResultV2 & { statusCode: number; body: string }> {
  const body =
    event.body !== undefined && event.isBase64Encoded
      ? Buffer.from(event.body, 'base64').toString('utf8')
      : event.body;
  const reply = await router({
    method: event.requestContext.http.method,
    path: event.rawPath,
    query: new URLSearchParams(event.rawQueryString ?? ''),
    body,
  });
  return {
    statusCode: reply.status,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(reply.body),
  };
}

export const handler = middy(async (event: APIGatewayProxyEventV2) => handleApiEvent(event));
