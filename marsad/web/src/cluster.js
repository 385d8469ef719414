// Grouping points by zoom: tens of thousands of events become a few hundred marks on screen.
//
// Points are binned on a square grid of CELL pixels in Web Mercator at the map's zoom (as
// Leaflet projects them); a cell holding CLUSTER_MIN events or more is drawn as one mark with
// its count, the others as the events themselves. Binning is one pass over typed arrays, so
// moving the time slider re-groups a whole year of events in a few milliseconds.

export const CELL = 60;
export const CLUSTER_MIN = 8;

const MAX_LAT = 85.0511287798;

// Indices of the points inside ``view`` ({south, north, west, east}; west > east never happens:
// the caller widens a view that crosses the antimeridian to every longitude) and shown by
// ``keep(i)``, binned by cell: Map of cell key -> array of indices.
export function binPoints(points, view, zoom, keep) {
  const cells = new Map();
  const { lat, lon, n } = points;
  const scale = (256 * 2 ** zoom) / CELL;
  for (let i = 0; i < n; i++) {
    const la = lat[i];
    const lo = lon[i];
    if (la < view.south || la > view.north || lo < view.west || lo > view.east || !keep(i)) continue;
    const phi = (Math.max(-MAX_LAT, Math.min(MAX_LAT, la)) * Math.PI) / 180;
    const cx = Math.floor((lo / 360 + 0.5) * scale);
    const cy = Math.floor((0.5 - Math.log(Math.tan(Math.PI / 4 + phi / 2)) / (2 * Math.PI)) * scale);
    const key = cx * 1048576 + cy;
    const cell = cells.get(key);
    if (cell) cell.push(i);
    else cells.set(key, [i]);
  }
  return cells;
}

// The most frequent value of ``values`` over ``members`` (the colour of a cluster).
export function dominant(values, members) {
  const counts = new Map();
  let best = values[members[0]];
  let top = 0;
  for (const i of members) {
    const c = (counts.get(values[i]) || 0) + 1;
    counts.set(values[i], c);
    if (c > top) {
      top = c;
      best = values[i];
    }
  }
  return best;
}
