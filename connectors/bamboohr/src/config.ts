import { connectorConfig, controlOwnerField, requestPolicyFields } from '@crosswalk/connector-kit';
import { secret, sourceUrl } from '@crosswalk/core';
import { z } from 'zod';
import { isTimeZone } from './time-zone.js';

const requestsSchema = z
  .object(
    requestPolicyFields({
      maxRateLimitWaitSeconds: 120,
      retries: 3,
      timeoutMs: 60_000,
      timeoutCeilingMs: 600_000,
    }),
  )
  .strict();

export const bamboohrConfigSchema = z
  .object({
    type: z.literal('bamboohr'),
    /** The company's BambooHR subdomain: `acme` for https://acme.bamboohr.com. */
    companyDomain: z
      .string()
      .trim()
      .regex(
        /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i,
        'must be the BambooHR subdomain, e.g. acme for acme.bamboohr.com',
      ),
    /**
     * An API key of a BambooHR user who can see every employee's job and employment status fields (see the README).
     * BambooHR takes it as the HTTP Basic user name; it is never logged, recorded or echoed in an error.
     */
    apiKey: secret(z.string().trim().min(1, 'must not be empty')),
    /**
     * The company's time zone (IANA name, e.g. `America/Denver`): BambooHR's dates carry no time, and a termination
     * dated D takes effect at the end of D in this zone (README, "Time zone rule").
     */
    timeZone: z.string().trim().refine(isTimeZone, 'must be an IANA time zone name, e.g. Europe/Berlin'),
    /**
     * Where the API lives; every request stays on it.
     * @defaultValue https://<companyDomain>.bamboohr.com
     */
    baseUrl: sourceUrl({
      example: 'https://acme.bamboohr.com',
      plainHttp: 'loopback',
      path: false,
    }).optional(),
    controlOwner: controlOwnerField,
    collectors: z
      .object({
        terminations: z
          .object({
            /**
             * How far before the window's start an employee's record may last have changed and its termination
             * still be read: BambooHR lists table rows by the employee's last change, and HR often enters a
             * termination ahead of its date.
             * @defaultValue 400
             */
            lookbackDays: z.number().int().min(1).max(3650).default(400),
          })
          .strict()
          .optional(),
      })
      .strict()
      .optional(),
    requests: requestsSchema.optional(),
  })
  .strict();

export type BambooHrConfigInput = z.input<typeof bamboohrConfigSchema>;
export type BambooHrConfig = z.output<typeof bamboohrConfigSchema>;
export type RequestSettings = z.output<typeof requestsSchema>;

const bamboohr = connectorConfig('BambooHR', bamboohrConfigSchema, requestsSchema);

/** Validates a config before any request is made: CW_CONFIG_INVALID naming every bad field, never a value. */
export const { parse: parseBambooHrConfig, requestSettings } = bamboohr;

export function baseUrlOf(config: BambooHrConfig): string {
  return config.baseUrl ?? `https://${config.companyDomain.toLowerCase()}.bamboohr.com`;
}

/** HTTP Basic with the API key as user name and any password (BambooHR's docs use `x`). */
export function basicAuthorization(apiKey: string): string {
  return `Basic ${Buffer.from(`${apiKey}:x`).toString('base64')}`;
}

/** The secrets scrubbed from every message: the key, and the Basic value that carries it. */
export function configSecrets(config: BambooHrConfig): string[] {
  const secrets = bamboohr.secrets(config);
  return [...secrets, basicAuthorization(config.apiKey).slice('Basic '.length)];
}
