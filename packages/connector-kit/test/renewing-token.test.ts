import { describe, expect, it } from 'vitest';
import { renewingToken } from '../src/renewing-token.js';

describe('a renewing token', () => {
  it('is bought once for requests that ask together, and again only once its renewal time has passed', async () => {
    let clock = 0;
    let bought = 0;
    const token = renewingToken(
      async () => {
        bought += 1;
        return { token: `t${bought}`, renewAt: clock + 1_000 };
      },
      () => clock,
    );
    expect(await Promise.all([token(), token(), token()])).toEqual(['t1', 't1', 't1']);
    clock = 999;
    expect(await token()).toBe('t1');
    clock = 1_000;
    expect(await token()).toBe('t2');
    expect(bought).toBe(2);
  });

  it('forgets a failed purchase, so the next request buys again', async () => {
    let attempts = 0;
    const token = renewingToken(async () => {
      attempts += 1;
      if (attempts === 1) throw new Error('token endpoint down');
      return { token: 'good', renewAt: Number.MAX_SAFE_INTEGER };
    });
    await expect(token()).rejects.toThrow('token endpoint down');
    expect(await token()).toBe('good');
    expect(attempts).toBe(2);
  });
});
