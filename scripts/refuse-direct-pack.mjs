// A workspace's own package.json points at its TypeScript sources (so tests and `npm start`
// run without a build): packing it directly would publish sources that need tsx. The
// publishable package is staged by `npm run pack` (scripts/pack.ts), which builds dist/ and
// applies the package's publishConfig.
console.error('modemlab: do not pack a workspace directly; run `npm run pack` at the repository root (tarballs in .pack/)');
process.exit(1);
