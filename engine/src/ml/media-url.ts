/**
 * Signed, project-scoped, expiring URLs of item images for model backends: the backend gets an
 * absolute URL it can fetch without any session (`GET /api/ml/media/<fileId>?p=<projectId>&e=<unix s>&s=<hmac>`).
 * The signature covers the file, the project and the expiry; the route also checks that the file
 * belongs to that project.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

const sign = (secret: string, fileId: string, projectId: string, exp: number) =>
  createHmac('sha256', secret).update(`ml-media\n${fileId}\n${projectId}\n${exp}`).digest('base64url');

/** The absolute URL of an image for a backend, valid until `expSec` (unix seconds). */
export function signedMediaUrl(base: string, secret: string, fileId: string, projectId: string, expSec: number): string {
  return `${base.replace(/\/+$/, '')}/api/ml/media/${fileId}?p=${projectId}&e=${expSec}&s=${sign(secret, fileId, projectId, expSec)}`;
}

/** True when `sig` signs this file, project and expiry with `secret` and the expiry is not past `nowSec`. */
export function verifyMediaSignature(secret: string, fileId: string, projectId: string, exp: number, sig: string, nowSec: number): boolean {
  if (!Number.isInteger(exp) || exp < nowSec) return false;
  const want = Buffer.from(sign(secret, fileId, projectId, exp));
  const got = Buffer.from(sig);
  return want.length === got.length && timingSafeEqual(want, got);
}
