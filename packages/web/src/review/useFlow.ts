/** Binds the pure review flow to React: dispatch answers synchronously whether a key was ours. */
import { useCallback, useRef, useState } from 'react';
import { initFlow, reduce, type Effect, type FlowEvent, type FlowInit, type FlowState } from './flow.ts';

export function useFlow(init: () => FlowInit, runEffects: (effects: Effect[]) => void) {
  const [state, setState] = useState<FlowState>(() => initFlow(init()));
  const ref = useRef(state);
  const runner = useRef(runEffects);
  runner.current = runEffects;

  const dispatch = useCallback((event: FlowEvent): boolean => {
    const r = reduce(ref.current, event);
    if (r.state !== ref.current) {
      ref.current = r.state;
      setState(r.state);
    }
    if (r.effects.length > 0) runner.current(r.effects);
    return r.handled;
  }, []);

  return { state, dispatch, stateRef: ref };
}
