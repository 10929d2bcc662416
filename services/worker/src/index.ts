export { processCollect } from './process-collect.js';
export { processWebhook } from './process-webhook.js';
export { type RunningWorker, startWorker, type WorkerOptions } from './worker.js';
