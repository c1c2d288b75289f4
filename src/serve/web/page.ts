/** The web explorer's HTML (served at / and /gallery; app.js switches the view by path). */
export const PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>sadsl explorer</title>
<link rel="stylesheet" href="/style.css">
</head>
<body>
<header>
  <h1>sadsl explorer</h1>
  <nav><a href="/" id="nav-search">Search</a> <a href="/gallery" id="nav-gallery">Topics</a></nav>
  <span id="info"></span>
</header>
<main id="search-view" hidden>
  <section id="query-panel">
    <h2>Query</h2>
    <div id="upload-box" class="image-only">
      <label>Upload an image <input type="file" id="upload" accept="image/png,image/jpeg,image/webp"></label>
    </div>
    <div id="text-box" class="text-only">
      <textarea id="text" rows="6" placeholder="Paste a document"></textarea>
      <button id="text-search">Search text</button>
    </div>
    <div class="options">
      <label>k <input type="number" id="k" value="12" min="1" max="100"></label>
      <label title="topic:weight pairs; 0 ignores a topic">topic weights <input id="topics" placeholder="3:2,7:0"></label>
    </div>
    <div id="query-show"></div>
    <h3>Or pick a database object <button id="shuffle">another page</button></h3>
    <div id="browse" class="grid"></div>
  </section>
  <section id="results-panel">
    <h2>Results <span id="status"></span></h2>
    <div id="error" role="alert" hidden></div>
    <div id="results" class="grid"></div>
    <div id="explain" hidden></div>
  </section>
</main>
<main id="gallery-view" hidden>
  <h2>Topics</h2>
  <div id="gallery"></div>
</main>
<script src="/app.js"></script>
</body>
</html>
`;
