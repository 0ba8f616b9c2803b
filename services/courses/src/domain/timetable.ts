/** A weekly slot: ISO weekday (1 = Monday) and local `HH:MM` times. */
export interface Slot {
  weekday: number;
  start: string;
  end: string;
}

export interface Timetabled {
  id: string;
  title: string;
  termStart: string | null;
  termEnd: string | null;
  schedule: Slot[];
}

function termsOverlap(a: Timetabled, b: Timetabled): boolean {
  // An open term (no dates) overlaps everything: better to ask than to miss a clash.
  const aStart = a.termStart ?? '0000-01-01';
  const aEnd = a.termEnd ?? '9999-12-31';
  const bStart = b.termStart ?? '0000-01-01';
  const bEnd = b.termEnd ?? '9999-12-31';
  return aStart <= bEnd && bStart <= aEnd;
}

function slotsOverlap(a: Slot, b: Slot): boolean {
  return a.weekday === b.weekday && a.start < b.end && b.start < a.end;
}

/** The first offering among `others` whose weekly slots clash with `candidate` in overlapping terms. */
export function findClash<T extends Timetabled>(
  candidate: Timetabled,
  others: T[],
): { with: T; slot: Slot } | undefined {
  for (const other of others) {
    if (other.id === candidate.id || !termsOverlap(candidate, other)) continue;
    for (const slot of candidate.schedule) {
      if (other.schedule.some((s) => slotsOverlap(slot, s))) return { with: other, slot };
    }
  }
  return undefined;
}
