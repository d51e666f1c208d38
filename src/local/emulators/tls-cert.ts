import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';

/**
 * A self-signed P-256 certificate for 127.0.0.1 and localhost, built in-process (node:crypto signs,
 * this file writes the DER), so the emulator needs no openssl binary. @azure/identity insists on an
 * https authority host and the Azure SDK refuses bearer tokens over http, hence TLS at all.
 */
export interface SelfSignedCert {
  /** PEM certificate; also the CA a client must trust (it is its own issuer). */
  certPem: string;
  keyPem: string;
}

function der(tag: number, ...content: Buffer[]): Buffer {
  const body = Buffer.concat(content);
  const n = body.length;
  let len: Buffer;
  if (n < 0x80) len = Buffer.from([n]);
  else if (n < 0x100) len = Buffer.from([0x81, n]);
  else len = Buffer.from([0x82, n >> 8, n & 0xff]);
  return Buffer.concat([Buffer.from([tag]), len, body]);
}

const seq = (...c: Buffer[]): Buffer => der(0x30, ...c);

function oid(dotted: string): Buffer {
  const [a = 0, b = 0, ...rest] = dotted.split('.').map(Number);
  const bytes = [40 * a + b];
  for (const v of rest) {
    const groups = [v & 0x7f];
    for (let x = v >> 7; x > 0; x >>= 7) groups.unshift((x & 0x7f) | 0x80);
    bytes.push(...groups);
  }
  return der(0x06, Buffer.from(bytes));
}

function utcTime(d: Date): Buffer {
  const iso = d.toISOString(); // 2026-11-21T19:16:24.000Z -> 261121191624Z
  const s =
    iso.slice(2, 4) +
    iso.slice(5, 7) +
    iso.slice(8, 10) +
    iso.slice(11, 13) +
    iso.slice(14, 16) +
    iso.slice(17, 19) +
    'Z';
  return der(0x17, Buffer.from(s, 'ascii'));
}

function pem(label: string, body: Buffer): string {
  const b64 = body
    .toString('base64')
    .replace(/(.{64})/g, '$1\n')
    .replace(/\n$/, '');
  return `-----BEGIN ${label}-----\n${b64}\n-----END ${label}-----\n`;
}

/**
 * The certificate serial from 16 random bytes, as the content of a DER INTEGER: RFC 5280 wants it
 * positive and at most 20 octets, DER wants it minimal. A first byte in 0x40..0x7f is both (a
 * clear top bit keeps it positive, a non-zero byte needs no padding), leaving 126 random bits.
 */
export function certificateSerial(random: Buffer): Buffer {
  const serial = Buffer.from(random.subarray(0, 16));
  serial[0] = ((serial[0] ?? 0) & 0x3f) | 0x40;
  return serial;
}

/** Creates a fresh key pair and a certificate valid from one day ago for `days` days. */
export function createSelfSignedCert(
  commonName = 'airless emulators',
  days = 30,
  random: Buffer = randomBytes(16),
): SelfSignedCert {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const ecdsaWithSha256 = seq(oid('1.2.840.10045.4.3.2'));
  const name = seq(der(0x31, seq(oid('2.5.4.3'), der(0x0c, Buffer.from(commonName, 'utf8')))));
  const serial = certificateSerial(random);
  const now = Date.now();
  const subjectAltName = seq(
    der(0x82, Buffer.from('localhost', 'ascii')),
    der(0x87, Buffer.from([127, 0, 0, 1])),
  );
  const extensions = der(0xa3, seq(seq(oid('2.5.29.17'), der(0x04, subjectAltName))));
  const tbs = seq(
    der(0xa0, der(0x02, Buffer.from([2]))),
    der(0x02, serial),
    ecdsaWithSha256,
    name,
    seq(utcTime(new Date(now - 86_400_000)), utcTime(new Date(now + days * 86_400_000))),
    name,
    publicKey.export({ type: 'spki', format: 'der' }),
    extensions,
  );
  const signature = sign('sha256', tbs, privateKey);
  const cert = seq(tbs, ecdsaWithSha256, der(0x03, Buffer.from([0]), signature));
  const keyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
  return { certPem: pem('CERTIFICATE', cert), keyPem };
}
