import { useId, useRef, useState, type DragEvent } from 'react';

interface FileDropProps {
  /** Lower-case extensions with the dot, e.g. ['.png', '.jpg']. */
  extensions: readonly string[];
  /** Extra MIME types for the file dialog's filter. */
  mimeTypes?: readonly string[];
  multiple: boolean;
  disabled?: boolean;
  chooseLabel: string;
  dropLabel: string;
  hint: string;
  testId: string;
  /** Chosen or dropped files, split into usable and rejected by extension. */
  onFiles: (accepted: File[], rejected: File[]) => void;
}

export function hasExtension(file: File, extensions: readonly string[]): boolean {
  const name = file.name.toLowerCase();
  return extensions.some((ext) => name.endsWith(ext));
}

/** A file input (keyboard and screen-reader friendly) inside an area that also takes dropped files. */
export function FileDrop({
  extensions,
  mimeTypes = [],
  multiple,
  disabled = false,
  chooseLabel,
  dropLabel,
  hint,
  testId,
  onFiles,
}: FileDropProps) {
  const inputId = useId();
  const hintId = useId();
  const input = useRef<HTMLInputElement>(null);
  const [over, setOver] = useState(false);

  const take = (list: FileList | null) => {
    const files = Array.from(list ?? []);
    const usable = files.filter((f) => hasExtension(f, extensions));
    const accepted = multiple ? usable : usable.slice(0, 1);
    onFiles(
      accepted,
      files.filter((f) => !hasExtension(f, extensions)),
    );
  };

  const onDragOver = (e: DragEvent) => {
    if (disabled || !e.dataTransfer.types.includes('Files')) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = 'copy';
    setOver(true);
  };
  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setOver(false);
    if (!disabled) take(e.dataTransfer.files);
  };

  return (
    <div
      className={`drop${over ? ' drop--over' : ''}${disabled ? ' drop--disabled' : ''}`}
      onDragOver={onDragOver}
      onDragEnter={onDragOver}
      onDragLeave={() => setOver(false)}
      onDrop={onDrop}
      data-testid={`${testId}-dropzone`}
    >
      <div className="drop__title" aria-hidden="true">
        {dropLabel}
      </div>
      <label htmlFor={inputId} className="drop__label">
        {chooseLabel}
      </label>
      <input
        ref={input}
        id={inputId}
        type="file"
        accept={[...extensions, ...mimeTypes].join(',')}
        multiple={multiple}
        disabled={disabled}
        aria-describedby={hintId}
        onChange={(e) => {
          take(e.target.files);
          // Let the same file be chosen again after a clear.
          e.target.value = '';
        }}
        data-testid={testId}
      />
      <p className="drop__hint muted small" id={hintId}>
        {hint}
      </p>
    </div>
  );
}
