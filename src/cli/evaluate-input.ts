import { AppError, fillAbsentSignals as fillAbsent, unknownSignalFields } from '../models/index.ts';

/**
 * Read a snapshot written by hand or by an older copilot: a signal group or field that is absent is no data (null,
 * listed in `missing` as `not_queried`), never a rejection; a field no snapshot has is rejected by name, so a
 * misspelt signal cannot silently read as missing. Returns a copy; validation of values follows.
 * @throws AppError INVALID_INPUT naming each unknown field.
 */
export function readSnapshotInput(raw: unknown): unknown {
  const unknown = unknownSignalFields(raw);
  if (unknown.length > 0) {
    throw new AppError('INVALID_INPUT', `unknown signal field(s): ${unknown.join(', ')}`, {
      problems: Object.fromEntries(unknown.map((path) => [`signals.${path}`, ['is not a signal any snapshot has']])),
    });
  }
  return fillAbsent(raw);
}
