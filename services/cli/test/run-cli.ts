import { run } from '../src/main.js';

/** `crosswalk <argv>` in this process, its output collected: what a user would see, and its exit code. */
export async function cli(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await run(argv, { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

/** `cli` with `env` added to the environment for the one command (how a user passes the S3_* settings). */
export async function cliWithEnv(env: Record<string, string>, ...argv: string[]) {
  const saved = { ...process.env };
  Object.assign(process.env, env);
  try {
    return await cli(...argv);
  } finally {
    process.env = saved;
  }
}
