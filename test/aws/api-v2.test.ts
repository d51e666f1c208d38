import { apiV2Suite } from '../runs/api/api-v2-suite.ts';
import { startAwsHost } from './aws-host.ts';

/** The shared Airflow REST API v2 suite on the AWS host (see aws-host.ts for what runs where). */
apiV2Suite('AWS (API Lambda, dynalite, s3rver, local Step Functions)', () => startAwsHost());
