import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { NewLogPatternSignal, ObserverCurrent } from '../models/index.ts';

/** Signal from the log watcher: a new log signature appeared; the next observe cycle must produce an assessment. */
export const newLogPatternSignal = defineSignal<[NewLogPatternSignal]>('newLogPattern');

/** The observer's current decision and engine state. */
export const currentQuery = defineQuery<ObserverCurrent>('current');
