/** Time as a dependency for the sources; the one definition lives in platform/. */
export { type Clock, systemClock } from '../platform/clock.js';
