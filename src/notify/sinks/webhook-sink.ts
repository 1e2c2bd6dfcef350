import type { AxiosError } from 'axios';
import { imageFile, toEmbed } from '../render.js';
import { SUPPRESS_NOTIFICATIONS, sinkErrorFromStatus, type Delivery, type DeliveryReceipt, type Sink } from './sink.js';

/**
 * How long a webhook send waits for Discord's answer. Webhooks take no nonce, so a send that timed out after
 * Discord accepted it would be posted again by the retry: the wait is long enough that a slow accept under
 * load is answered, not taken for a failure (15 s was not: 2 doubles in 79 posts under load).
 */
export const WEBHOOK_TIMEOUT_MS = 45_000;

/**
 * Posts to one Discord webhook URL (no bot needed). The URL holds a secret: never logged. At least once:
 * a send whose answer never came (no answer in WEBHOOK_TIMEOUT_MS) is retried and may show twice; the bot
 * token's channel sink is the exactly-once mode (Discord's nonce drops a repeat).
 */
export class WebhookSink implements Sink {
  readonly name = 'webhook';
  constructor(private readonly url: string, readonly timeoutMs = WEBHOOK_TIMEOUT_MS) {}

  async send(delivery: Delivery): Promise<DeliveryReceipt> {
    try {
      const payload = { embeds: [toEmbed(delivery.post)], ...(delivery.silent ? { flags: SUPPRESS_NOTIFICATIONS } : {}) };
      const file = imageFile(delivery.post);
      let body: unknown = payload;
      if (file) {
        // Discord's multipart shape: the JSON as payload_json, the image as files[0].
        const form = new FormData();
        form.append('payload_json', JSON.stringify(payload));
        form.append('files[0]', new Blob([file.data], { type: 'image/png' }), file.name);
        body = form;
      }
      // axios on the first send: a process that only routes posts (a CLI read) never loads it.
      const { default: axios } = await import('axios');
      const res = await axios.post<{ id?: string }>(`${this.url}?wait=true`, body, { timeout: this.timeoutMs });
      return { sink: this.name, messageId: res.data?.id };
    } catch (err) {
      const e = err as AxiosError<{ retry_after?: number; message?: string }>;
      const retryAfter = e.response?.data?.retry_after;
      throw sinkErrorFromStatus(this.name, e.response?.status, e.response?.data?.message ?? e.code ?? 'request failed',
        retryAfter !== undefined ? Math.ceil(retryAfter * 1000) : undefined);
    }
  }
}
