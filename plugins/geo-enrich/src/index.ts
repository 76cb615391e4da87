/** The plugin: what Sluice loads from this package (docs/plugins.md). */
import { GeoEnrich } from './geo-enrich';

export default {
  sdk: '^1.0.0',
  processors: [GeoEnrich],
};
