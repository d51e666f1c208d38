import { X509Certificate, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { certificateSerial, createSelfSignedCert } from '../../../src/local/emulators/tls-cert.ts';

/** DER INTEGER content rules (X.690 8.3.2) plus RFC 5280's positive serial of at most 20 octets. */
function derSerialProblem(content: Buffer): string | null {
  if (content.length === 0 || content.length > 20) return `length ${content.length}`;
  if (content[0]! & 0x80) return 'negative (top bit set)';
  if (content.length > 1 && content[0] === 0x00 && !(content[1]! & 0x80)) return 'illegal padding';
  if (content.every((b) => b === 0)) return 'zero';
  return null;
}

describe('emulator certificate serial', () => {
  it('is a positive, minimal DER INTEGER for every random input', () => {
    const edges = [
      Buffer.alloc(16, 0x00),
      Buffer.alloc(16, 0xff),
      Buffer.from([0x80, ...Buffer.alloc(15, 0x00)]),
    ];
    for (const random of [...edges, ...Array.from({ length: 20_000 }, () => randomBytes(16))]) {
      const problem = derSerialProblem(certificateSerial(random));
      if (problem !== null) throw new Error(`${random.toString('hex')}: ${problem}`);
    }
  });

  it('OpenSSL accepts the certificate from random bytes that used to give 0x00 padding', () => {
    // 0x80 0x10 ...: the old serial masked the top bit away and left 0x00 0x10, which OpenSSL
    // rejects with ERR_OSSL_ASN1_ILLEGAL_PADDING (about one emulator start in 256).
    const random = Buffer.from('80102030405060708090a0b0c0d0e0f0', 'hex');
    const { certPem } = createSelfSignedCert('airless emulators', 30, random);
    const cert = new X509Certificate(certPem);
    expect(cert.subjectAltName).toContain('127.0.0.1');
    expect(derSerialProblem(Buffer.from(cert.serialNumber, 'hex'))).toBeNull();
  });
});
