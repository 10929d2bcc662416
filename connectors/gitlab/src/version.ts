/** Stamped into every record's provenance: Crosswalk's version (the workspace's package.json). */
export { VERSION } from '@crosswalk/core';
