import type { ToolId } from '../types.ts';
import { assistTool } from './assist.ts';
import { bboxTool } from './bbox.ts';
import { keypointsTool } from './keypoints.ts';
import { polygonTool } from './polygon.ts';
import { selectTool } from './select.ts';
import type { Effect, Tool, ToolContext } from './tool.ts';
import type { PointerInput, ToolKey } from '../types.ts';

export type { Effect, Tool, ToolContext } from './tool.ts';

/** A tool together with its current state, so the store can hold any tool without knowing its state type. */
export interface ToolRunner {
  readonly id: ToolId;
  pointer(input: PointerInput, ctx: ToolContext): Effect[];
  key(key: ToolKey, ctx: ToolContext): Effect[] | null;
  busy(): boolean;
  cursor(): string;
}

function run<S>(tool: Tool<S>): ToolRunner {
  let state = tool.initial();
  return {
    id: tool.id,
    pointer(input, ctx) {
      const step = tool.pointer(state, input, ctx);
      state = step.state;
      return step.effects ?? [];
    },
    key(key, ctx) {
      const step = tool.key(state, key, ctx);
      if (!step) return null;
      state = step.state;
      return step.effects ?? [];
    },
    busy: () => tool.busy(state),
    cursor: () => tool.cursor(state),
  };
}

/** A fresh runner (initial state) for a tool. */
export function startTool(id: ToolId): ToolRunner {
  switch (id) {
    case 'select':
      return run(selectTool);
    case 'bbox':
      return run(bboxTool);
    case 'polygon':
      return run(polygonTool);
    case 'keypoints':
      return run(keypointsTool);
    case 'assist':
      return run(assistTool);
  }
}
