// Preloaded (NODE_OPTIONS=--require) into `npm run package:aws` by package-template.test.ts:
// records every DNS lookup and every TCP connection that is not to loopback, one line each, in
// the file AIRLESS_NETWORK_LOG names. The test asserts the file stays empty.
'use strict';
const fs = require('node:fs');
const dns = require('node:dns');
const net = require('node:net');

const file = process.env.AIRLESS_NETWORK_LOG;
const record = (line) => fs.appendFileSync(file, `${process.pid} ${line}\n`);
const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

const lookup = dns.lookup;
dns.lookup = function recordedLookup(host, ...rest) {
  if (!LOOPBACK.has(host)) record(`dns.lookup ${host}`);
  return lookup.call(this, host, ...rest);
};
const promisesLookup = dns.promises.lookup;
dns.promises.lookup = function recordedPromisesLookup(host, ...rest) {
  if (!LOOPBACK.has(host)) record(`dns.promises.lookup ${host}`);
  return promisesLookup.call(this, host, ...rest);
};
const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function recordedConnect(...args) {
  const first = args[0];
  const options = Array.isArray(first) ? first[0] : first;
  const host = typeof options === 'object' && options !== null ? options.host : args[1];
  const isPipe = typeof options === 'object' && options !== null && options.path !== undefined;
  if (!isPipe && host !== undefined && !LOOPBACK.has(host)) record(`connect ${host}`);
  return connect.apply(this, args);
};
