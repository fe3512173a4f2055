import type { ReactNode } from 'react';
import type { LabelSchema } from '@labelwork/core';
import { drawingToolOf } from '../../editor/labels.ts';
import { chordLabel, SHORTCUTS, type CommandId } from '../../editor/shortcuts.ts';
import type { EditorStore } from '../../editor/store.ts';
import { TOOL_IDS, type ToolId } from '../../editor/types.ts';
import { useT } from '../../i18n/index.tsx';
import { isMac } from './keyboard.ts';
import { useEditorState } from './use-editor-state.ts';

const TOOL_ICONS: Record<ToolId, string> = { select: '↖', bbox: '▭', polygon: '⬠', keypoints: '⁘', assist: '✦' };

/** "(B)" style hint for a command's first key, for tooltips. */
function keyHint(command: CommandId): string {
  const chord = SHORTCUTS.find((s) => s.command === command)?.keys[0];
  return chord ? ` (${chordLabel(chord, isMac)})` : '';
}

function availableTools(schema: LabelSchema, assist: boolean): ToolId[] {
  const used = new Set<ToolId | null>(schema.labels.map((l) => drawingToolOf(l.tool)));
  // Assist (a model backend turns a click or a rough box into a region): where the page offers it, for box and polygon labels.
  if (assist && schema.labels.some((l) => !l.retired && (l.tool === 'bbox' || l.tool === 'polygon'))) used.add('assist');
  return TOOL_IDS.filter((t) => t === 'select' || used.has(t));
}

interface ToolbarProps {
  store: EditorStore;
  kind: 'image' | 'text';
  onHelp: () => void;
  /** Page actions (save, submit…), shown at the end. */
  actions?: ReactNode;
}

export function EditorToolbar({ store, kind, onHelp, actions }: ToolbarProps) {
  const t = useT();
  const tool = useEditorState(store, (s) => s.tool);
  const canUndo = useEditorState(store, (s) => s.canUndo);
  const canRedo = useEditorState(store, (s) => s.canRedo);
  const readOnly = useEditorState(store, (s) => s.readOnly);
  const assist = useEditorState(store, (s) => s.assist);
  const tools = kind === 'image' ? availableTools(store.schema, assist !== 'off') : [];
  return (
    <div className="editor-toolbar" role="toolbar" aria-label={t('editor.toolbar')}>
      {tools.length > 1 && (
        <div className="editor-toolbar__group" role="group" aria-label={t('editor.toolbar')}>
          {tools.map((id) => (
            <button
              key={id}
              type="button"
              className={`btn btn--small editor-tool${tool === id ? ' is-active' : ''}`}
              aria-pressed={tool === id}
              disabled={readOnly && id !== 'select'}
              title={t(`editor.tool.${id}`) + keyHint(`tool.${id}`)}
              data-testid={`tool-${id}`}
              onClick={() => store.setTool(id)}
            >
              <span aria-hidden="true">{TOOL_ICONS[id]}</span> {t(`editor.tool.${id}`)}
              {id === 'assist' && assist === 'busy' && <span className="spinner-dot" aria-label={t('editor.assist.busy')} />}
            </button>
          ))}
        </div>
      )}
      <div className="editor-toolbar__group">
        <button
          type="button"
          className="btn btn--small"
          disabled={!canUndo || readOnly}
          title={t('editor.undo') + keyHint('undo')}
          data-testid="undo"
          onClick={() => store.undo()}
        >
          <span aria-hidden="true">↶</span> {t('editor.undo')}
        </button>
        <button
          type="button"
          className="btn btn--small"
          disabled={!canRedo || readOnly}
          title={t('editor.redo') + keyHint('redo')}
          data-testid="redo"
          onClick={() => store.redo()}
        >
          <span aria-hidden="true">↷</span> {t('editor.redo')}
        </button>
      </div>
      {kind === 'image' && <ZoomControls store={store} />}
      <div className="editor-toolbar__group">
        <button
          type="button"
          className="btn btn--small"
          title={t('editor.help') + ' (?)'}
          data-testid="shortcuts"
          onClick={onHelp}
          aria-haspopup="dialog"
        >
          <span aria-hidden="true">⌨</span> {t('editor.help')}
        </button>
      </div>
      {readOnly && <span className="badge">{t('editor.readOnly')}</span>}
      {actions && <div className="editor-toolbar__actions">{actions}</div>}
    </div>
  );
}

function ZoomControls({ store }: { store: EditorStore }) {
  const t = useT();
  const scale = useEditorState(store, (s) => s.viewport.scale);
  const percent = Math.round(scale * 100);
  return (
    <div className="editor-toolbar__group">
      <button
        type="button"
        className="btn btn--small btn--icon"
        title={t('editor.zoomOut') + keyHint('view.zoomOut')}
        aria-label={t('editor.zoomOut')}
        data-testid="zoom-out"
        onClick={() => store.zoomBy(1 / 1.25)}
      >
        −
      </button>
      <span className="editor-zoom" data-testid="zoom-level">
        {t('editor.zoomLevel', { percent })}
      </span>
      <button
        type="button"
        className="btn btn--small btn--icon"
        title={t('editor.zoomIn') + keyHint('view.zoomIn')}
        aria-label={t('editor.zoomIn')}
        data-testid="zoom-in"
        onClick={() => store.zoomBy(1.25)}
      >
        +
      </button>
      <button
        type="button"
        className="btn btn--small"
        title={t('editor.zoomFit') + keyHint('view.fit')}
        data-testid="zoom-fit"
        onClick={() => store.fit()}
      >
        {t('editor.zoomFit')}
      </button>
      <button
        type="button"
        className="btn btn--small"
        title={t('editor.zoomActual') + keyHint('view.actual')}
        data-testid="zoom-actual"
        onClick={() => store.actualSize()}
      >
        {t('editor.zoomActual')}
      </button>
    </div>
  );
}
