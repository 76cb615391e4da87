import { defineProcessor, failWith } from '@sluice/sdk';
import { geohash, haversineKm } from './geohash';

/** Reads a coordinate attribute: a finite number within ±limit, else the reason it is not one. */
function coordinate(value: string | undefined, name: string, limit: number): number | string {
  if (value === undefined || value.trim() === '') return `attribute "${name}" is missing`;
  const n = Number(value);
  if (!Number.isFinite(n)) return `attribute "${name}" is not a number: "${value}"`;
  if (Math.abs(n) > limit) return `attribute "${name}" is out of range (±${limit}): ${value}`;
  return n;
}

/**
 * GeoEnrich: adds `geo.geohash` and `geo.distance.km` (to a configured reference point) from a FlowFile's
 * latitude and longitude attributes; FlowFiles without valid coordinates go to failure with `geo.error`.
 */
export const GeoEnrich = defineProcessor({
  type: 'GeoEnrich',
  description:
    'Adds geo.geohash and geo.distance.km (great-circle distance to a reference point) from latitude and longitude attributes; FlowFiles without valid coordinates go to failure.',
  category: 'transform',
  input: 'required',
  config: {
    type: 'object',
    additionalProperties: false,
    properties: {
      latitudeAttribute: {
        type: 'string',
        minLength: 1,
        default: 'lat',
        description: 'Attribute holding the latitude in decimal degrees (-90 to 90).',
      },
      longitudeAttribute: {
        type: 'string',
        minLength: 1,
        default: 'lon',
        description: 'Attribute holding the longitude in decimal degrees (-180 to 180).',
      },
      precision: {
        type: 'integer',
        minimum: 1,
        maximum: 12,
        default: 7,
        description: 'Length of the geohash written to geo.geohash (7 is about 150 m).',
      },
      referenceLatitude: {
        type: 'number',
        minimum: -90,
        maximum: 90,
        default: 51.4779,
        description: 'Latitude of the point geo.distance.km is measured from (default: Greenwich).',
      },
      referenceLongitude: {
        type: 'number',
        minimum: -180,
        maximum: 180,
        default: -0.0015,
        description: 'Longitude of the point geo.distance.km is measured from.',
      },
    },
  },
  relationships: [
    { name: 'success', description: 'FlowFiles with valid coordinates, with geo.geohash and geo.distance.km added.' },
    {
      name: 'failure',
      description: 'FlowFiles whose coordinates are missing, not numbers or out of range; geo.error says why.',
    },
  ],
  async onTrigger(session, ctx) {
    const { latitudeAttribute, longitudeAttribute, precision, referenceLatitude, referenceLongitude } = ctx.config;
    for (const ff of await session.get(100)) {
      const lat = coordinate(ff.attributes[latitudeAttribute], latitudeAttribute, 90);
      const lon = coordinate(ff.attributes[longitudeAttribute], longitudeAttribute, 180);
      if (typeof lat === 'string' || typeof lon === 'string') {
        failWith(session, ff, 'geo.error', typeof lat === 'string' ? lat : lon);
        continue;
      }
      const enriched = session.putAttributes(ff, {
        'geo.geohash': geohash(lat, lon, precision),
        'geo.distance.km': haversineKm(referenceLatitude, referenceLongitude, lat, lon).toFixed(3),
      });
      session.transfer(enriched, 'success');
    }
  },
});
