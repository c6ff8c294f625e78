/** The latest value of an observable as React state; subscribes on mount (and when `source$` changes). */
import { useEffect, useState } from 'react';
import type { Observable } from 'rxjs';

export function useObservable<T>(source$: Observable<T>, initial: T): T {
  const [value, setValue] = useState<T>(initial);
  useEffect(() => {
    const subscription = source$.subscribe({ next: (next) => setValue(() => next) });
    return () => subscription.unsubscribe();
  }, [source$]);
  return value;
}
