// An attempt's GPU indices as its row's `gpus` column holds them: text ("0,1"; "" for none), which
// both engines store and compare alike.

const NONE: readonly number[] = Object.freeze([]);

export function gpuListText(gpus: readonly number[]): string {
  return gpus.join(",");
}

export function gpuListOf(text: string): readonly number[] {
  return text ? text.split(",").map(Number) : NONE;
}
