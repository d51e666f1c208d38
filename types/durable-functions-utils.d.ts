/** durable-functions' internal helpers; only the one src/azure/safe-own-keys.ts replaces. */
declare module 'durable-functions/lib/src/util/Utils.js' {
  export const Utils: { hasOwnProperty: (obj: object, prop: string) => boolean };
}
