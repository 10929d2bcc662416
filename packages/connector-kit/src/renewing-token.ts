/** A bought credential, and when (epoch ms, the caller's clock) the next one should be bought. */
export interface BoughtToken {
  token: string;
  renewAt: number;
}

/**
 * A token bought when first needed and again once its renewal time has passed (a connector sets `renewAt` a little
 * before the source's expiry): requests that ask at the same time share one purchase, and a failed purchase is not
 * remembered, so the next request buys again.
 */
export function renewingToken(
  buy: () => Promise<BoughtToken>,
  now: () => number = Date.now,
): () => Promise<string> {
  let current: { token: Promise<string>; renewAt: number } | undefined;
  return () => {
    if (current === undefined || now() >= current.renewAt) {
      const purchase = buy();
      const entry = { token: purchase.then((bought) => bought.token), renewAt: Number.POSITIVE_INFINITY };
      current = entry;
      purchase.then(
        (bought) => {
          entry.renewAt = bought.renewAt;
        },
        () => {
          if (current === entry) current = undefined;
        },
      );
    }
    return current.token;
  };
}
