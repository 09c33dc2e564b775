/** Public surface of the file replay source, for the CLI. */
export { readMessagesFrom, type ReplayedMessage } from './read.js';
export { splitMbox } from './mbox.js';
