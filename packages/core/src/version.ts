import manifest from '../../../package.json' with { type: 'json' };

/**
 * Crosswalk's version, read from the workspace's package.json, the one place it is written: the CLI's
 * `--version`, the API's OpenAPI document, export bundles' generator and every record's connector or derivation
 * version come from here.
 */
export const VERSION: string = manifest.version;
