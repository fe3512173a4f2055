/**
 * Space held down turns a left-drag into panning; a Space tap with no drag is a "place" at the
 * keyboard pointer instead. Shared by the editor's key handler and the stage's pointer handler.
 */
export class SpacePan {
  held = false;
  /** The current Space press was used to pan (so releasing it places nothing). */
  used = false;
  private listeners = new Set<() => void>();

  press(): void {
    if (this.held) return;
    this.held = true;
    this.used = false;
    this.emit();
  }

  /** Ends the press; true when it was a tap (no pan). */
  release(): boolean {
    if (!this.held) return false;
    this.held = false;
    this.emit();
    return !this.used;
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(): void {
    for (const l of this.listeners) l();
  }
}
