import { isSealed, SecretBox } from '@crosswalk/runtime';
import { describe, expect, it } from 'vitest';
import { newSecretKey } from './helpers.js';

const TOKEN = 'ghp_TestTokenThatMustNeverLeak0123456789';

describe('SecretBox', () => {
  const box = new SecretBox(newSecretKey());

  it('opens what it sealed, in the same context', () => {
    const sealed = box.seal(TOKEN, 'github-acme:auth.token');
    expect(isSealed(sealed)).toBe(true);
    expect(sealed).not.toContain(TOKEN);
    expect(box.open(sealed, 'github-acme:auth.token')).toBe(TOKEN);
  });

  it('seals the same value differently each time (a fresh IV), so equal secrets do not show as equal', () => {
    expect(box.seal(TOKEN, 'c:auth.token')).not.toBe(box.seal(TOKEN, 'c:auth.token'));
  });

  it('refuses a ciphertext with any byte flipped', () => {
    const sealed = box.seal(TOKEN, 'c:auth.token');
    const raw = Buffer.from(sealed.slice('enc:v1:'.length), 'base64');
    // Flip one byte in the IV, the tag and the body in turn: GCM authenticates all three.
    for (const at of [0, 12, raw.length - 1]) {
      const tampered = Buffer.from(raw);
      tampered[at]! ^= 0x01;
      expect(() => box.open(`enc:v1:${tampered.toString('base64')}`, 'c:auth.token')).toThrowError(
        expect.objectContaining({ code: 'CW_CONFIG_INVALID', where: 'c:auth.token' }),
      );
    }
  });

  it('refuses a ciphertext moved to another connector or field (the context is authenticated)', () => {
    const sealed = box.seal(TOKEN, 'github-acme:auth.token');
    expect(() => box.open(sealed, 'github-other:auth.token')).toThrowError(/cannot be decrypted/);
    expect(() => box.open(sealed, 'github-acme:webhookSecret')).toThrowError(/cannot be decrypted/);
  });

  it('refuses a ciphertext sealed under another key', () => {
    const sealed = new SecretBox(newSecretKey()).seal(TOKEN, 'c:auth.token');
    expect(() => box.open(sealed, 'c:auth.token')).toThrowError(
      expect.objectContaining({ code: 'CW_CONFIG_INVALID' }),
    );
  });

  it('calls a plaintext where a sealed value belongs corrupt, and does not echo it', () => {
    let error: unknown;
    try {
      box.open(TOKEN, 'c:auth.token');
    } catch (caught) {
      error = caught;
    }
    expect(error).toMatchObject({ code: 'CW_LOCKER_CORRUPT' });
    expect(String((error as Error).message)).not.toContain(TOKEN);
  });

  it('wants exactly 32 bytes of key, and names the variable', () => {
    expect(() => new SecretBox(Buffer.alloc(16).toString('base64'))).toThrowError(
      expect.objectContaining({ code: 'CW_CONFIG_INVALID', where: 'CROSSWALK_SECRET_KEY' }),
    );
  });
});
