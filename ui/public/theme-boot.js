// Sets <html data-theme> before the first paint, so a dark page never flashes light: the theme chosen in the top
// bar (localStorage "sluice.theme": system, light or dark), or the system's colour scheme. A blocking script of
// its own because the server's Content-Security-Policy allows scripts from 'self' but no inline ones.
(() => {
  let choice = 'system';
  try {
    choice = localStorage.getItem('sluice.theme') || 'system';
  } catch {
    // storage blocked: follow the system
  }
  const dark = choice === 'dark' || (choice !== 'light' && matchMedia('(prefers-color-scheme: dark)').matches);
  document.documentElement.dataset.theme = dark ? 'dark' : 'light';
})();
