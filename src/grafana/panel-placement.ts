import type { GridPos } from '@grafana/grafana-foundation-sdk/dashboard';

/**
 * Where a panel goes and which id it gets. Factories take it rather than relying on the SDK's
 * automatic layout, which only places panels left at (0, 0) and cannot be told about rows.
 */
export interface PanelPlacement {
  id: number;
  /** Grid units: 24 columns wide, rows of 30 px. */
  gridPos: GridPos;
}

/** A placement at column `x`, row `y`, `w` columns wide and `h` rows high. */
export function placeAt(id: number, x: number, y: number, w: number, h: number): PanelPlacement {
  return { id, gridPos: { x, y, w, h } };
}
