import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { CrosswalkError } from '@crosswalk/core';

const PREFIX = 'enc:v1:';

/**
 * AES-256-GCM for credentials at rest. The key comes from the environment (CROSSWALK_SECRET_KEY, 32 bytes in
 * base64), never from the locker, so a copy of the bucket alone reveals no credential.
 */
export class SecretBox {
  private readonly key: Buffer;

  constructor(keyBase64: string) {
    const key = Buffer.from(keyBase64, 'base64');
    if (key.length !== 32) {
      throw new CrosswalkError(
        'CW_CONFIG_INVALID',
        'CROSSWALK_SECRET_KEY must be 32 bytes, base64-encoded (openssl rand -base64 32)',
        {
          where: 'CROSSWALK_SECRET_KEY',
        },
      );
    }
    this.key = key;
  }

  seal(plain: string, context: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    // The context (connector id and field path) is authenticated: a ciphertext moved to another field fails.
    cipher.setAAD(Buffer.from(context));
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return `${PREFIX}${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64')}`;
  }

  open(sealed: string, context: string): string {
    if (!sealed.startsWith(PREFIX)) {
      throw new CrosswalkError('CW_LOCKER_CORRUPT', `credential at ${context} is not encrypted`, {
        where: context,
      });
    }
    const raw = Buffer.from(sealed.slice(PREFIX.length), 'base64');
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, 12));
      decipher.setAAD(Buffer.from(context));
      decipher.setAuthTag(raw.subarray(12, 28));
      return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
    } catch (cause) {
      throw new CrosswalkError(
        'CW_CONFIG_INVALID',
        `credential at ${context} cannot be decrypted with CROSSWALK_SECRET_KEY`,
        {
          where: context,
          cause,
        },
      );
    }
  }
}

export function isSealed(value: unknown): value is string {
  return typeof value === 'string' && value.startsWith(PREFIX);
}
