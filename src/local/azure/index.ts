import './fake-core.ts';
import { AirlessError } from '../../errors.ts';
import { registerDurableFunctions, type DurableDeps } from '../../azure/register.ts';
import { DurableHost, type HostOptions } from './host.ts';
import { startRpcServer } from './rpc-server.ts';

export interface LocalDurable {
  host: DurableHost;
  close: () => Promise<void>;
}

const noHandler: DurableDeps['handleTask'] = () =>
  Promise.reject(new AirlessError('BadInput', 'this local Durable host has no task handler'));

/**
 * Registers airless's Durable functions (or, with `register`, a whole app such as functions/) and
 * starts a local host with its client endpoint.
 */
export async function openLocalDurable(
  options: Pick<HostOptions, 'clock' | 'startMs' | 'replay'> &
    Partial<DurableDeps> & { register?: () => void },
): Promise<LocalDurable> {
  if (options.register === undefined)
    registerDurableFunctions({ handleTask: options.handleTask ?? noHandler });
  else options.register();
  const host = new DurableHost({ clock: options.clock, startMs: options.startMs, replay: options.replay });
  const rpc = await startRpcServer(host);
  host.clientData = rpc.clientData;
  return { host, close: rpc.close };
}
