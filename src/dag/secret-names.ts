/**
 * How a `{ secret: name }` becomes a Key Vault secret name, as Airflow's Key Vault backend does it:
 * prefix (default airflow-variables, trailing '-' trimmed) + '-' + name, then every '_' -> '-'.
 */
export const DEFAULT_KEY_VAULT_PREFIX = 'airflow-variables';

export const KEY_VAULT_NAME_PATTERN = /^[0-9a-zA-Z-]{1,127}$/;

export function keyVaultName(prefix: string | undefined, name: string): string {
  const trimmed = (prefix ?? DEFAULT_KEY_VAULT_PREFIX).replace(/-+$/, '');
  return (trimmed === '' ? name : `${trimmed}-${name}`).replaceAll('_', '-');
}
