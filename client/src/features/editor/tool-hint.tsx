import { labelByName } from '../../editor/labels.ts';
import type { EditorStore } from '../../editor/store.ts';
import { useT } from '../../i18n/index.tsx';
import { useEditorState } from './use-editor-state.ts';

/** One line under the image saying what the current tool does next. */
export function ToolHint({ store }: { store: EditorStore }) {
  const t = useT();
  const tool = useEditorState(store, (s) => s.tool);
  const active = useEditorState(store, (s) => s.activeLabel);
  const next = useEditorState(store, (s) => s.draft?.nextPoint ?? null);
  const label = labelByName(store.schema, active);
  let text: string;
  const assist = useEditorState(store, (s) => s.assist);
  if (tool === 'select') text = t('editor.hint.select');
  else if (tool === 'assist')
    text = assist === 'busy' ? t('editor.assist.busy') : label ? t('editor.assist.hint') : t('editor.assist.needLabel');
  else if (!label || label.tool !== tool) text = t('editor.hint.noLabel');
  else if (tool === 'keypoints') text = t('editor.hint.keypoints', { label: label.name, point: next ?? label.points?.[0] ?? '' });
  else text = t(tool === 'bbox' ? 'editor.hint.bbox' : 'editor.hint.polygon', { label: label.name });
  return (
    <p className="tool-hint small" data-testid="tool-hint" aria-live="polite">
      {label && tool !== 'select' && <span className="swatch" style={{ background: label.color }} aria-hidden="true" />}
      {text}
    </p>
  );
}
