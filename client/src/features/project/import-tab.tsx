import { useEffect, useState } from 'react';
import type { Project } from '@labelwork/core';
import { importPaths } from '../../api/projects.ts';
import { useT } from '../../i18n/index.tsx';
import { Alert } from '../../ui/alert.tsx';
import { FileDrop } from './file-drop.tsx';
import { ImportFeedback } from './import-feedback.tsx';
import { useImport } from './use-import.ts';
import { DatasetImport } from './dataset-import.tsx';
import './items-tab.css';

const IMAGE_EXTENSIONS = ['.png', '.jpg', '.jpeg', '.webp', '.svg'] as const;
const IMAGE_MIME = ['image/png', 'image/jpeg', 'image/webp', 'image/svg+xml'] as const;
const TEXT_EXTENSIONS = ['.jsonl', '.csv'] as const;

function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  if (n < 1024 * 1024 * 1024) return `${(n / 1024 / 1024).toFixed(1)} MB`;
  return `${(n / 1024 / 1024 / 1024).toFixed(2)} GB`;
}

/** Image upload for image projects, JSONL / CSV upload for text projects. */
export function ImportTab({ project, onImported }: { project: Project; onImported: () => void }) {
  const t = useT();
  const { state, start, cancel, reset, busy } = useImport(project.id, onImported);
  const [files, setFiles] = useState<File[]>([]);
  const [rejected, setRejected] = useState<string[]>([]);
  const [duplicates, setDuplicates] = useState<'skip' | 'import'>('skip');
  const isImage = project.kind === 'image';
  const archived = project.status === 'archived';

  const onFiles = (accepted: File[], skipped: File[]) => {
    reset();
    setRejected(skipped.map((f) => f.name));
    if (isImage) {
      // Adding to the selection lets people drop several batches before uploading.
      setFiles((prev) => {
        const seen = new Set(prev.map((f) => `${f.name}:${f.size}:${f.lastModified}`));
        return [...prev, ...accepted.filter((f) => !seen.has(`${f.name}:${f.size}:${f.lastModified}`))];
      });
    } else {
      setFiles(accepted.slice(0, 1));
    }
  };

  const upload = () => {
    if (files.length === 0) return;
    const form = new FormData();
    form.append('duplicates', duplicates);
    if (isImage) for (const f of files) form.append('files', f, f.name);
    else form.append('file', files[0]!, files[0]!.name);
    start(isImage ? importPaths.images(project.id) : importPaths.text(project.id), form);
    setRejected([]);
  };

  // The selection goes once the import has succeeded; after a failure it stays, so a retry is one click.
  useEffect(() => {
    if (state.phase === 'done') setFiles([]);
  }, [state.phase]);

  const clear = () => {
    setFiles([]);
    setRejected([]);
    reset();
  };

  const totalBytes = files.reduce((n, f) => n + f.size, 0);
  return (
    <div className="import">
      <h2 className="section-title">{isImage ? t('import.images.title') : t('import.text.title')}</h2>
      {archived && <Alert tone="warning">{t('import.archived')}</Alert>}
      {isImage ? (
        <FileDrop
          extensions={IMAGE_EXTENSIONS}
          mimeTypes={IMAGE_MIME}
          multiple
          disabled={archived || busy}
          chooseLabel={t('import.images.choose')}
          dropLabel={t('import.images.dropzone')}
          hint={t('import.images.hint')}
          testId="import-images-input"
          onFiles={onFiles}
        />
      ) : (
        <FileDrop
          extensions={TEXT_EXTENSIONS}
          multiple={false}
          disabled={archived || busy}
          chooseLabel={t('import.text.choose')}
          dropLabel={t('import.text.dropzone')}
          hint={t('import.text.hint')}
          testId="import-text-input"
          onFiles={onFiles}
        />
      )}
      {rejected.length > 0 && (
        <Alert tone="warning" testId="import-rejected">
          {t('import.rejected', { names: rejected.join(', ') })}
        </Alert>
      )}
      {files.length > 0 && (
        <div className="import__selection">
          <span data-testid="import-selected">{t('import.selected', { count: files.length, size: formatBytes(totalBytes) })}</span>
          <ul className="import__files">
            {files.slice(0, 20).map((f) => (
              <li key={`${f.name}:${f.size}:${f.lastModified}`}>{f.name}</li>
            ))}
            {files.length > 20 && <li>…</li>}
          </ul>
          <fieldset className="import__duplicates" data-testid="import-duplicates-choice">
            <legend>{isImage ? t('import.duplicates.legend') : t('import.duplicates.legendText')}</legend>
            {(['skip', 'import'] as const).map((v) => (
              <label key={v} className="import__duplicate-option">
                <input
                  type="radio"
                  name="duplicates"
                  value={v}
                  checked={duplicates === v}
                  onChange={() => setDuplicates(v)}
                  disabled={busy}
                  data-testid={`import-duplicates-${v}`}
                />
                {t(`import.duplicates.${v}`)}
              </label>
            ))}
          </fieldset>
          <div className="form-actions">
            <button type="button" className="btn btn--primary" onClick={upload} disabled={busy || archived} data-testid="import-submit">
              {t('import.start')}
            </button>
            <button type="button" className="btn" onClick={clear} disabled={busy} data-testid="import-clear">
              {t('import.clear')}
            </button>
          </div>
        </div>
      )}
      <ImportFeedback state={state} onCancel={cancel} keptSelection={state.phase === 'failed' && files.length > 0} />
      <DatasetImport project={project} onImported={onImported} />
    </div>
  );
}
