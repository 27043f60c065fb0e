/**
 * Fixed handicap placement as the GTP v2 specification (section 4.1.1) lists it for 19x19, extended to
 * every size the way GNU Go (the reference implementation) does: star points on the 3rd line below 13x13
 * and the 4th line from 13x13 up; at most 4 stones on even sizes and on 7x7, at most 9 on odd sizes from
 * 9x9; none below 7x7.
 */
export function maxFixedHandicap(size: number): number {
  if (size < 7) return 0;
  if (size === 7 || size % 2 === 0) return 4;
  return 9;
}

/**
 * The points for `stones` handicap stones on a size×size board, in the spec's order
 * (19x19: D4 Q16 D16 Q4 K10 / D10 Q10 / K4 K16). Throws a RangeError when not allowed.
 */
export function fixedHandicapPoints(size: number, stones: number): number[] {
  const max = maxFixedHandicap(size);
  if (!Number.isInteger(stones) || stones < 2 || stones > max) {
    throw new RangeError(`fixed handicap of ${stones} stones is not available on ${size}x${size} (2..${max})`);
  }
  const edge = size < 13 ? 2 : 3; // 0-based distance from the edge: 3rd or 4th line
  const lo = edge;
  const hi = size - 1 - edge;
  const mid = (size - 1) / 2;
  // (row, col) with row 0 on top: D4 = bottom-left = (hi, lo); Q16 = top-right = (lo, hi).
  const bottomLeft: [number, number] = [hi, lo];
  const topRight: [number, number] = [lo, hi];
  const topLeft: [number, number] = [lo, lo];
  const bottomRight: [number, number] = [hi, hi];
  const center: [number, number] = [mid, mid];
  const leftSide: [number, number] = [mid, lo];
  const rightSide: [number, number] = [mid, hi];
  const bottomSide: [number, number] = [hi, mid];
  const topSide: [number, number] = [lo, mid];
  const corners = [bottomLeft, topRight, topLeft, bottomRight];
  let points: [number, number][];
  switch (stones) {
    case 2:
    case 3:
    case 4:
      points = corners.slice(0, stones);
      break;
    case 5:
      points = [...corners, center];
      break;
    case 6:
      points = [...corners, leftSide, rightSide];
      break;
    case 7:
      points = [...corners, leftSide, rightSide, center];
      break;
    case 8:
      points = [...corners, leftSide, rightSide, bottomSide, topSide];
      break;
    default:
      points = [...corners, leftSide, rightSide, bottomSide, topSide, center];
  }
  return points.map(([r, c]) => r * size + c);
}
