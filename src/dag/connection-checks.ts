import { operatorDefinition, type OperatorName } from './operators/index.ts';
import { didYouMean, oneOf } from './diagnostics.ts';
import type { Path } from './parse.ts';
import { isRecord, labelled } from './report.ts';
import type { Report } from './report.ts';
import { KEY_VAULT_NAME_PATTERN, keyVaultName } from './secret-names.ts';
import { CONNECTION_TYPES } from './vocabulary.ts';

export function checkConnections(
  doc: Record<string, unknown>,
  tasks: Record<string, unknown>,
  operators: ReadonlyMap<string, OperatorName>,
  report: Report,
): void {
  const connections = isRecord(doc.connections) ? doc.connections : {};
  const names = Object.keys(connections);
  const typeOf = (name: string): string | undefined => {
    const connection = connections[name];
    return isRecord(connection) && typeof connection.type === 'string' ? connection.type : undefined;
  };
  const known = (name: unknown, path: Path): name is string => {
    if (typeof name !== 'string') return false;
    if (Object.prototype.hasOwnProperty.call(connections, name)) return true;
    report.at(path, labelled(path, `unknown connection '${name}'${didYouMean(name, names)}`));
    return false;
  };
  const defaults = isRecord(doc.default_args) ? doc.default_args : {};
  const inherited = known(defaults.connection, ['default_args', 'connection'])
    ? defaults.connection
    : undefined;
  for (const [id, task] of Object.entries(tasks)) {
    const operator = operators.get(id);
    if (!isRecord(task) || operator === undefined) continue;
    const definition = operatorDefinition(operator);
    if (!definition.job) continue;
    const own = task.connection !== undefined;
    const path = ['tasks', id, 'connection'];
    const name = own ? (known(task.connection, path) ? task.connection : undefined) : inherited;
    const type = name === undefined ? undefined : typeOf(name);
    const allowed: readonly string[] = definition.connectionTypes;
    const knownType = type !== undefined && (CONNECTION_TYPES as readonly string[]).includes(type);
    const fits = name === undefined || !knownType || allowed.includes(type);
    if ('endpoint' in definition.fields && fits && !(own && name === undefined)) {
      const connection = name === undefined ? undefined : connections[name];
      checkEndpoint(
        task,
        id,
        name,
        knownType ? type : undefined,
        isRecord(connection) ? connection.host : undefined,
        report,
      );
    }
    if (fits) continue;
    const problem = `connection '${name}' (${type}) cannot authenticate ${operator}; it takes ${oneOf(allowed)}`;
    if (own) report.at(path, labelled(path, problem));
    else
      report.at(['tasks', id], labelled(['tasks', id], `inherits ${problem} (set connection on the task)`), {
        key: true,
      });
  }
}

/**
 * Where a flink.rest or genie task sends its requests. Credentials go only to the host of the
 * connection that holds them (Airflow's model): a task whose connection has credentials takes the
 * connection's `host` and has no `endpoint` of its own. A task-level endpoint (a template allowed)
 * is for connections of type none, or none at all.
 */
function checkEndpoint(
  task: Record<string, unknown>,
  id: string,
  name: string | undefined,
  type: string | undefined,
  host: unknown,
  report: Report,
): void {
  const path = ['tasks', id, 'endpoint'];
  if (task.endpoint === undefined) {
    if (host === undefined) {
      const where = name === undefined ? 'endpoint on the task' : `host on connection '${name}'`;
      report.at(['tasks', id], labelled(['tasks', id], `needs a URL to send requests to: set ${where}`), {
        key: true,
      });
    }
    return;
  }
  if (host !== undefined) {
    report.at(
      path,
      labelled(path, `connection '${name}' sets host; a task cannot send its requests elsewhere`),
    );
  } else if (type !== undefined && type !== 'none') {
    report.at(
      path,
      labelled(
        path,
        `connection '${name}' (${type}) holds credentials: the host they go to belongs to the connection, fixed in the DAG file; move this URL to connections.${name}.host`,
      ),
    );
  }
}

/** `{ secret: name }` needs a secrets block, and a name the backend can hold. */
export function checkSecretRefs(doc: Record<string, unknown>, report: Report): void {
  const connections = isRecord(doc.connections) ? doc.connections : {};
  const secrets = isRecord(doc.secrets) ? doc.secrets : undefined;
  for (const [name, connection] of Object.entries(connections)) {
    if (!isRecord(connection)) continue;
    for (const [field, value] of Object.entries(connection)) {
      if (!isRecord(value) || typeof value.secret !== 'string') continue;
      const path = ['connections', name, field, 'secret'];
      if (secrets === undefined) {
        report.at(
          path,
          labelled(
            path,
            `secret '${value.secret}' needs a 'secrets' block saying where secrets are looked up`,
          ),
        );
      } else if (secrets.backend === 'azure_key_vault') {
        const prefix = typeof secrets.variables_prefix === 'string' ? secrets.variables_prefix : undefined;
        const vaultName = keyVaultName(prefix, value.secret);
        if (!KEY_VAULT_NAME_PATTERN.test(vaultName)) {
          report.at(
            path,
            labelled(
              path,
              `Key Vault secret name '${vaultName}' must be 1..127 characters of 0-9, a-z, A-Z and '-'`,
            ),
          );
        }
      }
    }
  }
}
