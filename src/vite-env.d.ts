/** Set by vite.config.ts (`define`): a label of this build. */
declare const __BUILD_ID__: string;
