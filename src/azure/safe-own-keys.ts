import { Utils } from 'durable-functions/lib/src/util/Utils.js';

/**
 * durable-functions walks every orchestration binding (history, inputs, outputs) with
 * `obj.hasOwnProperty(prop)`, which throws once an object holds a key named `hasOwnProperty`: a
 * task id, a param or a conf key may be exactly that. Its helper is replaced by the
 * prototype-independent check it means, once, before any orchestration runs.
 */
Utils.hasOwnProperty = (obj: object, prop: string): boolean =>
  Object.prototype.hasOwnProperty.call(obj, prop);
