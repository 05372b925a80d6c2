// Keyboard for the article lightbox (which works without this script through :target links):
// Escape closes, the arrow keys step through the photos. On a photo page the arrows go to the
// newer and older photo.
document.addEventListener("keydown", function (event) {
  if (event.altKey || event.ctrlKey || event.metaKey) return;
  var target = event.target;
  if (target && (target.tagName === "INPUT" || target.tagName === "TEXTAREA" || target.tagName === "SELECT")) return;
  var scope = document.querySelector(".lightbox:target") || (document.querySelector("article.photo") ? document : null);
  if (!scope) return;
  var link = null;
  if (event.key === "Escape") link = scope.querySelector && scope !== document ? scope.querySelector("a.close") : null;
  if (event.key === "ArrowLeft") link = scope.querySelector("a[rel=prev]");
  if (event.key === "ArrowRight") link = scope.querySelector("a[rel=next]");
  if (link) {
    event.preventDefault();
    link.click();
  }
});
// Focus the lightbox's close link when it opens, so Tab and Enter work from there.
window.addEventListener("hashchange", function () {
  var open = document.querySelector(".lightbox:target a.close");
  if (open) open.focus();
});
