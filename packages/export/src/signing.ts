import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  sign,
  verify,
} from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CrosswalkError } from '@crosswalk/core';

/**
 * The Ed25519 key that signs export manifests. It lives outside the locker (whoever can write the locker must
 * not be able to forge an export): in a file, in the environment, or in the user's config directory.
 */
export interface SigningKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** SubjectPublicKeyInfo PEM: what goes into the bundle as public-key.pem. */
  publicKeyPem: string;
  /** SHA-256 of the DER SubjectPublicKeyInfo, 64 lowercase hex characters. */
  fingerprint: string;
  /** Where it came from, for messages: a file path or an environment variable's name. Never the key. */
  source: string;
}

export interface LoadedSigningKey extends SigningKey {
  /** True when this call generated the key (the embedded default, on first use). */
  created: boolean;
}

export interface LoadSigningKeyOptions {
  /** A PEM file (PKCS#8 Ed25519 private key), e.g. from `--signing-key`. Wins over the environment. */
  file?: string;
  env?: NodeJS.ProcessEnv;
  /** Generate the default key when none is configured (the CLI's embedded default). Default true. */
  createIfMissing?: boolean;
}

/** `$XDG_CONFIG_HOME/crosswalk/signing-key.pem`, or `~/.config/crosswalk/signing-key.pem`. */
export function defaultSigningKeyPath(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CONFIG_HOME?.trim() || path.join(env.HOME?.trim() || os.homedir(), '.config');
  return path.join(base, 'crosswalk', 'signing-key.pem');
}

/**
 * The signing key, first of: `file`; `CROSSWALK_SIGNING_KEY` (the PEM itself); `CROSSWALK_SIGNING_KEY_FILE`;
 * the default path, generated there on first use (mode 0600 in a 0700 directory) unless `createIfMissing` is
 * false. Throws CW_SIGNING_KEY_INVALID when the key is unreadable or not an Ed25519 private key.
 */
export async function loadSigningKey(options: LoadSigningKeyOptions = {}): Promise<LoadedSigningKey> {
  const env = options.env ?? process.env;
  if (options.file) return { ...(await keyFromFile(options.file)), created: false };
  if (env.CROSSWALK_SIGNING_KEY?.trim()) {
    return { ...signingKeyFromPem(env.CROSSWALK_SIGNING_KEY, 'CROSSWALK_SIGNING_KEY'), created: false };
  }
  if (env.CROSSWALK_SIGNING_KEY_FILE?.trim()) {
    return { ...(await keyFromFile(env.CROSSWALK_SIGNING_KEY_FILE.trim())), created: false };
  }
  const file = defaultSigningKeyPath(env);
  try {
    return { ...(await keyFromFile(file)), created: false };
  } catch (error) {
    const missing = (error as CrosswalkError).cause as NodeJS.ErrnoException | undefined;
    if (missing?.code !== 'ENOENT' || options.createIfMissing === false) throw error;
  }
  const pem = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  try {
    await writeFile(file, pem, { flag: 'wx', mode: 0o600 });
  } catch (error) {
    // Another process created it first: use theirs, so every export of this user has one key.
    if ((error as NodeJS.ErrnoException).code === 'EEXIST')
      return { ...(await keyFromFile(file)), created: false };
    throw new CrosswalkError(
      'CW_SIGNING_KEY_INVALID',
      `cannot create the signing key at ${file}: ${(error as NodeJS.ErrnoException).code ?? error}`,
      { where: file, cause: error },
    );
  }
  return { ...signingKeyFromPem(pem, file), created: true };
}

async function keyFromFile(file: string): Promise<SigningKey> {
  let pem: string;
  try {
    pem = await readFile(file, 'utf8');
  } catch (cause) {
    throw new CrosswalkError(
      'CW_SIGNING_KEY_INVALID',
      `cannot read the signing key ${file}: ${(cause as NodeJS.ErrnoException).code ?? cause}`,
      { where: file, cause },
    );
  }
  return signingKeyFromPem(pem, file);
}

/** A signing key from a PKCS#8 PEM Ed25519 private key. `source` names where it came from, for messages. */
export function signingKeyFromPem(pem: string, source = 'PEM'): SigningKey {
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({ key: pem, format: 'pem' });
  } catch (cause) {
    throw new CrosswalkError(
      'CW_SIGNING_KEY_INVALID',
      `the signing key in ${source} is not a PEM private key: ${(cause as Error).message}`,
      { where: source },
    );
  }
  if (privateKey.asymmetricKeyType !== 'ed25519') {
    throw new CrosswalkError(
      'CW_SIGNING_KEY_INVALID',
      `the signing key in ${source} is ${privateKey.asymmetricKeyType ?? 'not asymmetric'}; exports are signed with Ed25519 ` +
        '(openssl genpkey -algorithm ed25519 -out signing-key.pem)',
      { where: source },
    );
  }
  const publicKey = createPublicKey(privateKey);
  return {
    privateKey,
    publicKey,
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }) as string,
    fingerprint: publicKeyFingerprint(publicKey),
    source,
  };
}

/** SHA-256 of the DER SubjectPublicKeyInfo: `openssl pkey -pubin -in public-key.pem -outform DER | sha256sum`. */
export function publicKeyFingerprint(publicKey: KeyObject | string | Buffer): string {
  const key =
    typeof publicKey === 'string' || Buffer.isBuffer(publicKey) ? createPublicKey(publicKey) : publicKey;
  return createHash('sha256')
    .update(key.export({ type: 'spki', format: 'der' }))
    .digest('hex');
}

/**
 * A fingerprint as people paste it: `sha256:`-prefixed, upper case, with colons or spaces. Returns 64 lowercase
 * hex characters, or throws CW_INPUT_INVALID.
 */
export function normalizeFingerprint(value: string): string {
  const hex = value
    .trim()
    .replace(/^sha256:/i, '')
    .replace(/[\s:]/g, '')
    .toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(hex)) {
    throw new CrosswalkError(
      'CW_INPUT_INVALID',
      `fingerprint "${value}" must be 64 hex characters (the SHA-256 of the public key's DER SubjectPublicKeyInfo)`,
      { where: '--fingerprint' },
    );
  }
  return hex;
}

/** Ed25519 over the exact bytes: what `openssl pkeyutl -sign -rawin` produces and `-verify -rawin` checks. */
export function signBytes(key: SigningKey, data: Buffer): Buffer {
  return sign(null, data, key.privateKey);
}

export function verifyBytes(publicKeyPem: string | Buffer, data: Buffer, signature: Buffer): boolean {
  const key = createPublicKey(publicKeyPem);
  if (key.asymmetricKeyType !== 'ed25519') return false;
  return verify(null, data, key, signature);
}
