/**
 * The attributes splitters put on their children and MergeContent's defragment mode reads back:
 * fragment.identifier (the parent's id), fragment.index (0-based), fragment.count, segment.original.filename.
 */
import type { Attributes, FlowFile } from '../sdk';

export const FRAGMENT_ID = 'fragment.identifier';
export const FRAGMENT_INDEX = 'fragment.index';
export const FRAGMENT_COUNT = 'fragment.count';
export const ORIGINAL_FILENAME = 'segment.original.filename';
export const FRAGMENT_ATTRIBUTES = [FRAGMENT_ID, FRAGMENT_INDEX, FRAGMENT_COUNT, ORIGINAL_FILENAME] as const;

export function fragmentAttributes(parent: FlowFile, index: number, count: number): Attributes {
  return {
    [FRAGMENT_ID]: parent.id,
    [FRAGMENT_INDEX]: String(index),
    [FRAGMENT_COUNT]: String(count),
    [ORIGINAL_FILENAME]: parent.attributes.filename ?? parent.id,
  };
}
