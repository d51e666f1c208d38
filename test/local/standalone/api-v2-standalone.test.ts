import { apiV2Suite } from '../../runs/api/api-v2-suite.ts';
import { startStandaloneHost } from './standalone-host.ts';

// The shared Airflow REST API v2 suite against `airless standalone` in a child process.
apiV2Suite('airless standalone', () => startStandaloneHost(), 180_000);
