// Preloaded by bench/stream.ts into each measured `sadsl` process (any checkout, old or new): prints the process's
// peak RSS on exit, so the bench measures commands that do not report it themselves.
process.on('exit', () => process.stderr.write(`\npeak-rss-kib ${process.resourceUsage().maxRSS}\n`));
