import { createVerify } from 'node:crypto';
import { z } from 'zod';

/** What SNS POSTs to an HTTPS subscriber (as text/plain JSON). */
export const snsEnvelope = z.object({
  Type: z.enum(['Notification', 'SubscriptionConfirmation', 'UnsubscribeConfirmation']),
  MessageId: z.string().min(1),
  TopicArn: z.string().min(1),
  Message: z.string(),
  Timestamp: z.string().min(1),
  Subject: z.string().optional(),
  Token: z.string().optional(),
  SubscribeURL: z.url().optional(),
  SignatureVersion: z.enum(['1', '2']),
  Signature: z.string().min(1),
  SigningCertURL: z.url(),
});
export type SnsEnvelope = z.infer<typeof snsEnvelope>;

/** SNS signs and serves its certificates from these hosts only (and only over HTTPS). */
const SNS_HOST = /^sns\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$/;

export function isSnsUrl(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === 'https:' && SNS_HOST.test(u.hostname);
  } catch {
    return false;
  }
}

/**
 * The string SNS signs: chosen fields in a fixed order, each as `name\nvalue\n`
 * (https://docs.aws.amazon.com/sns/latest/dg/sns-verify-signature-of-message.html).
 */
export function stringToSign(m: SnsEnvelope): string {
  const fields =
    m.Type === 'Notification'
      ? (['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type'] as const)
      : (['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'] as const);
  return fields
    .filter((f) => m[f] !== undefined)
    .map((f) => `${f}\n${m[f]}\n`)
    .join('');
}

/** Fetches SNS's signing certificate (PEM); cached per URL for the life of the process. */
export type CertificateSource = (url: string) => Promise<string>;

export function httpsCertificates(fetchImpl: typeof fetch = fetch): CertificateSource {
  const cache = new Map<string, Promise<string>>();
  return (url) => {
    let pem = cache.get(url);
    if (!pem) {
      pem = fetchImpl(url, { signal: AbortSignal.timeout(5_000) }).then(async (res) => {
        if (!res.ok) throw new Error(`certificate fetch answered ${res.status}`);
        return res.text();
      });
      pem.catch(() => cache.delete(url));
      cache.set(url, pem);
    }
    return pem;
  };
}

/**
 * True when SNS signed exactly this message: the certificate comes from an SNS host over
 * HTTPS, and the RSA signature (SHA1 for version 1, SHA256 for 2) covers every field.
 */
export async function verifySnsMessage(m: SnsEnvelope, certificates: CertificateSource): Promise<boolean> {
  if (!isSnsUrl(m.SigningCertURL)) return false;
  let pem: string;
  try {
    pem = await certificates(m.SigningCertURL);
  } catch {
    return false;
  }
  try {
    return createVerify(m.SignatureVersion === '1' ? 'RSA-SHA1' : 'RSA-SHA256')
      .update(stringToSign(m), 'utf8')
      .verify(pem, m.Signature, 'base64');
  } catch {
    return false;
  }
}
