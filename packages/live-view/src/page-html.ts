/** The page: a header with the flow's state and counts, the graph, and a side panel (running, failed, the atom clicked). */
export const PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>tf live view</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
*{box-sizing:border-box}
body{margin:0;font:13px system-ui,sans-serif;color:#1d2330;display:grid;grid-template-rows:auto 1fr;grid-template-columns:1fr 340px;height:100vh}
header{grid-column:1/3;display:flex;gap:16px;align-items:center;padding:8px 14px;border-bottom:1px solid #dde1e8;background:#fafbfc}
header h1{font-size:15px;margin:0}
#flow-state{font-weight:600}
#conn{margin-left:auto;color:#6b7489}
.count{padding:1px 7px;border-radius:9px;background:#eef0f4}
#graph{overflow:hidden;position:relative;cursor:grab;background:#fff}
#graph svg{position:absolute;left:0;top:0;width:100%;height:100%}
aside{border-left:1px solid #dde1e8;overflow:auto;padding:8px 12px;background:#fafbfc}
aside h2{font-size:13px;margin:12px 0 4px}
aside ul{list-style:none;margin:0;padding:0}
aside li{padding:4px 0;border-bottom:1px solid #eceef2}
.meter{height:4px;background:#e3e7ee;border-radius:2px;margin-top:3px}
.meter>div{height:4px;background:#2f6fdf;border-radius:2px}
.err{color:#b02525;white-space:pre-wrap;word-break:break-word}
.cause{margin-left:10px;border-left:2px solid #f0b4b4;padding-left:6px}
.muted{color:#6b7489}
.n{cursor:pointer}
.n.sel .box{stroke:#111;stroke-width:3}
#tools button{font:inherit}
</style>
<link rel="stylesheet" href="style.css">
</head>
<body>
<header>
<h1 id="flow-name">tf</h1>
<span>flow <span id="flow-state">…</span></span>
<span id="counts"></span>
<span id="tools"><button id="fit" type="button">fit</button></span>
<span id="conn">connecting…</span>
</header>
<main id="graph"></main>
<aside>
<h2>Selected</h2><div id="selected" class="muted">click an atom</div>
<h2>Running <span id="running-count" class="count">0</span></h2><ul id="running"></ul>
<h2>Failed <span id="failed-count" class="count">0</span></h2><ul id="failures"></ul>
</aside>
<script src="app.js"></script>
</body>
</html>
`;
