export { type App, type BuildAppOptions, buildApp } from './app.js';
export { type ErrorBody, toCrosswalkError } from './errors.js';
export { consoleDistDir } from './plugins/console.js';
export { type RunningServer, startServer } from './server.js';
export { VERSION } from './version.js';
export {
  type Delivery,
  genericSender,
  githubSender,
  type RawDelivery,
  senders,
  type WebhookSender,
} from './webhooks/index.js';
export { sha256Signature } from './webhooks/signature.js';
