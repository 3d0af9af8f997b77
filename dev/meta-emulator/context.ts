import type { EmulatorState } from './state.js';

/** What every route module of the emulator receives. */
export interface EmulatorContext {
  state: EmulatorState;
  /** Base of URLs the emulator hands out (media URLs); default: the origin the request came to. */
  publicUrl: string | undefined;
  maxUploadBytes: number;
  /** Lifetime of a media URL (Meta: about 5 minutes). */
  mediaUrlTtlSeconds: number;
}
