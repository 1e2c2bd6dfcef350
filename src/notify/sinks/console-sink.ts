import { toText } from '../render.js';
import type { Delivery, DeliveryReceipt, Sink } from './sink.js';

/** The default sink: prints each post as a person would read it. */
export class ConsoleSink implements Sink {
  readonly name = 'console';
  constructor(private readonly write: (text: string) => void = (t) => process.stdout.write(`${t}\n`)) {}

  async send(delivery: Delivery): Promise<DeliveryReceipt> {
    this.write(delivery.silent ? `(silent) ${toText(delivery.post)}` : toText(delivery.post));
    return { sink: this.name };
  }
}
