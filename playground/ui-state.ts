// The editor's UI state in one place: what is selected, where the view is, the training settings and the graph's
// name. The graph itself lives in the graph store (graph/graph.ts). Everything here is plain data, so it
// serialises; the share link carries the graph, its name and the training settings (graph/share.ts), and
// `uiStateToJson` covers the rest for anyone who wants the whole view.
import type { TrainSettings } from './graph/schema';

export interface Viewport {
  x: number;
  y: number;
  zoom: number;
}

export interface UiState {
  /** The graph's name, shown in the toolbar and written into saved files. */
  name: string;
  /** Selected node ids (several with Shift-click or Ctrl+A). */
  selection: readonly string[];
  /** The selected wire, by the key of its input port ("node.port"), or null. */
  selectedEdge: string | null;
  viewport: Viewport;
  train: TrainSettings;
  galleryOpen: boolean;
}

export const DEFAULT_TRAIN: TrainSettings = { optimizer: 'adam', lr: 0.01, batchSize: 32, seed: 0 };

export const INITIAL_UI: UiState = {
  name: '',
  selection: [],
  selectedEdge: null,
  viewport: { x: 0, y: 0, zoom: 1 },
  train: DEFAULT_TRAIN,
  galleryOpen: false,
};

export function uiStateToJson(ui: UiState): string {
  return JSON.stringify(ui);
}

/**
 * The first-visit welcome (components/welcome-panel.ts) is shown until dismissed once; that choice is kept in
 * localStorage under this key, per browser profile. The e2e harness sets it so that only the welcome's own test
 * sees the panel.
 */
export const WELCOME_DISMISSED_KEY = 'playground:welcome-dismissed';

/** Whether the welcome was dismissed before. Where storage is refused, it counts as a first visit every time. */
export function welcomeDismissed(): boolean {
  try {
    return localStorage.getItem(WELCOME_DISMISSED_KEY) !== null;
  } catch {
    return false;
  }
}

export function rememberWelcomeDismissed(): void {
  try {
    localStorage.setItem(WELCOME_DISMISSED_KEY, new Date().toISOString());
  } catch {
    // Storage refused (some private modes): the panel closes for this visit and shows again on the next.
  }
}
