import type { FindCursor } from 'mongodb';

/**
 * A cursor read one document at a time that asks for its next batch as soon as the current one is
 * used up, before the caller wants it: the database decodes the next batch (on FerretDB most of an
 * export's CPU) while this process turns the previous one into entries and output. Only one
 * request is ever in flight on the cursor.
 */
export class ReadAhead<T> {
  private ahead: Promise<boolean> | null = null;
  private closed = false;
  constructor(private readonly cursor: FindCursor<T>) {}
  async next(): Promise<T | null> {
    if (this.closed) return null;
    if (this.cursor.bufferedCount() === 0 && !(await (this.ahead ?? this.cursor.hasNext()))) return null;
    this.ahead = null;
    const d = await this.cursor.next();
    if (this.cursor.bufferedCount() === 0) {
      this.ahead = this.cursor.hasNext();
      // Seen by the next call (or close); not an unhandled rejection meanwhile.
      this.ahead.catch(() => undefined);
    }
    return d;
  }
  async close(): Promise<void> {
    this.closed = true;
    await this.ahead?.catch(() => undefined);
    await this.cursor.close();
  }
}
