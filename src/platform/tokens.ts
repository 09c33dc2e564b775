/** API tokens are stored only as SHA-256 hashes; a leaked database does not leak tokens. */
import { createHash, randomBytes } from 'node:crypto';

export const hashToken = (token: string): string => createHash('sha256').update(token, 'utf8').digest('hex');

export const newToken = (): string => randomBytes(24).toString('base64url');
