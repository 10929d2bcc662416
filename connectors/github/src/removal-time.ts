/** 100-ns intervals between the UUID epoch (1582-10-15T00:00:00Z) and the Unix epoch. */
const UUID_EPOCH_OFFSET = 122_192_928_000_000_000n;
const UUID_V1 = /^([0-9a-f]{8})-([0-9a-f]{4})-1([0-9a-f]{3})-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;

/**
 * The time inside a time-based (version 1) UUID, in ms since the Unix epoch, or undefined for any other text.
 * GitHub's `X-GitHub-Delivery` GUID "identifies the event" and is "shared with all deliveries for all webhooks that
 * subscribe to this event" (GitHub's REST description of a hook delivery's `guid`); it is a version-1 UUID stamped
 * when GitHub creates the event (the docs' example, 72d3162e-cc78-11e3-..., reads 2014-04-25, when it was written).
 */
export function uuidV1Millis(id: string): number | undefined {
  const match = UUID_V1.exec(id);
  if (!match) return undefined;
  const [, low, mid, high] = match as unknown as [string, string, string, string];
  const ticks = BigInt(`0x${high}${mid}${low}`);
  return Number((ticks - UUID_EPOCH_OFFSET) / 10_000n);
}

/** How far the GUID's time may lie from the delivery's receipt and still be taken as the event's time. */
const AFTER_RECEIPT_MS = 86_400_000;
const BEFORE_RECEIPT_MS = 30 * 86_400_000;

/**
 * When GitHub says a removal it delivered by webhook happened: the time in the delivery's GUID, the same for every
 * delivery and redelivery of the event, so they all make one record; the receipt time only when the GUID carries no
 * plausible time (it is not a version-1 UUID, or its time is far from when the delivery arrived).
 */
export function webhookEventTime(
  deliveryId: string,
  receivedAt: string,
): { at: number; from: 'delivery_guid' | 'delivery_receipt' } {
  const received = Date.parse(receivedAt);
  const stamped = uuidV1Millis(deliveryId);
  if (
    stamped !== undefined &&
    stamped <= received + AFTER_RECEIPT_MS &&
    stamped >= received - BEFORE_RECEIPT_MS
  ) {
    return { at: stamped, from: 'delivery_guid' };
  }
  return { at: received, from: 'delivery_receipt' };
}
