// One SharedArrayBuffer holding named typed arrays, so dimension columns the fact generators need
// reach every worker without a copy: the main thread allocates and fills, workers rebuild views.

export type ArrayKind = 'int32' | 'float64' | 'uint8';
export interface ArraySlot {
  readonly kind: ArrayKind;
  readonly offset: number;
  readonly length: number;
}
export type ArenaLayout<K extends string> = Readonly<Record<K, ArraySlot>>;
export type ArenaViews<K extends string, L extends Record<K, ArrayKind>> = {
  [P in K]: L[P] extends 'int32' ? Int32Array : L[P] extends 'uint8' ? Uint8Array : Float64Array;
};

/** Plans slots (8-byte aligned) for the given lengths and kinds; returns the layout and its size. */
export function planArena<K extends string>(spec: Record<K, { kind: ArrayKind; length: number }>): { layout: ArenaLayout<K>; bytes: number } {
  let offset = 0;
  const layout = {} as Record<K, ArraySlot>;
  for (const name of Object.keys(spec) as K[]) {
    const { kind, length } = spec[name];
    layout[name] = { kind, offset, length };
    const bytes = length * (kind === 'int32' ? 4 : kind === 'uint8' ? 1 : 8);
    offset += Math.ceil(bytes / 8) * 8;
  }
  return { layout, bytes: offset };
}

/** Views of every slot of a layout over a buffer (shared or not). */
export function arenaViews<K extends string>(buffer: SharedArrayBuffer | ArrayBuffer, layout: ArenaLayout<K>): Record<K, Int32Array | Float64Array | Uint8Array> {
  const views = {} as Record<K, Int32Array | Float64Array | Uint8Array>;
  for (const name of Object.keys(layout) as K[]) {
    const { kind, offset, length } = layout[name];
    views[name] = kind === 'int32' ? new Int32Array(buffer, offset, length) : kind === 'uint8' ? new Uint8Array(buffer, offset, length) : new Float64Array(buffer, offset, length);
  }
  return views;
}
