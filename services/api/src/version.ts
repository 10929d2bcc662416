/** The API's version, in the OpenAPI document: Crosswalk's version (the workspace's package.json). */
export { VERSION } from '@crosswalk/core';
