// The status page files api-entry.ts embeds: imported for their side effect (embedding) only.
declare module '*.css' {}
declare module '*.svg' {}
