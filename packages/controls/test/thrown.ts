/** Runs fn and returns what it threw, so a test can check the error's code and message together. */
export function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}
