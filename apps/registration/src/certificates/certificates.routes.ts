import { authenticate, principalOf, type Verifier } from '@jab/auth';
import {
  accessReasonQuery,
  certificateList,
  certificateListQuery,
  certificateParams,
  certificateView,
  verificationResult,
  verifyCertificateRequest,
} from '@jab/contracts';
import { parsed, validate, type ApiRoute } from '@jab/http';
import { Router, type Request } from 'express';
import { accessReasonOf } from '../audit/audit.js';
import { getCertificate, listCertificates, verifyCertificate, type CertificateDeps } from './certificates.service.js';

const list = { query: certificateListQuery };
const one = { params: certificateParams, query: accessReasonQuery };
const verify = { body: verifyCertificateRequest };

/** Citizens act on their household without a reason; staff must state one (400 otherwise). */
const reasonOf = (req: Request) => (principalOf(req).role === 'citizen' ? undefined : accessReasonOf(req));

export function certificatesRouter(deps: CertificateDeps & { verifier: Verifier }): Router {
  const router = Router();
  const auth = authenticate(deps.verifier);
  router.get('/certificates', auth, validate(list), async (req, res) => {
    const reason = reasonOf(req);
    res.json({ items: await listCertificates(deps, principalOf(req), parsed(req, list).query, reason) });
  });
  router.get('/certificates/:certificateId', auth, validate(one), async (req, res) => {
    const reason = reasonOf(req);
    res.json(await getCertificate(deps, principalOf(req), parsed(req, one).params.certificateId, reason));
  });
  // Public: anyone shown a card may check it. Always 200 with `valid`, except for malformed input.
  router.post('/certificates/verify', validate(verify), async (req, res) => {
    res.set('Cache-Control', 'no-store').json(await verifyCertificate(deps, parsed(req, verify).body));
  });
  return router;
}

export const certificatesRoutes: ApiRoute[] = [
  {
    method: 'get',
    path: '/certificates',
    summary:
      "SMART Health Card certificates: a citizen's household (optionally one person), current ones unless includeRevoked=true; staff of the person's region or a national admin for one person (registrantId) with a reason, audited",
    tags: ['records'],
    request: list,
    responses: {
      200: { description: 'Certificates, newest first', schema: certificateList },
      400: { description: 'Staff gave no reason or no registrantId' },
      403: { description: 'Outside the staff member’s region' },
      404: { description: 'Not a person of your household' },
    },
  },
  {
    method: 'get',
    path: '/certificates/:certificateId',
    summary: 'One certificate with its JWS, the shc:/ QR content and the QR as SVG (its household; staff with a reason, audited)',
    tags: ['records'],
    request: one,
    responses: {
      200: { description: 'The certificate', schema: certificateView },
      403: { description: 'Outside the staff member’s region' },
      404: { description: 'No such certificate (or not your household’s)' },
    },
  },
  {
    method: 'post',
    path: '/certificates/verify',
    summary:
      'Verify a health card (public): its shc:/ QR content or its JWS. 200 with valid=false and the reason for a forged, tampered, unknown or revoked card',
    tags: ['records'],
    request: verify,
    responses: { 200: { description: 'The verdict and, when the signature is ours, what the card says', schema: verificationResult } },
  },
];
