import type { GraphFileV1 } from '../schema';

/** A gallery entry: the graph as plain data (a version-1 document), loaded through the same parser as a file. */
export interface Example {
  id: string;
  title: string;
  description: string;
  graph: GraphFileV1;
}
