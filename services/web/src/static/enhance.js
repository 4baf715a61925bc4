// Progressive enhancement only: every page works without this script.
// On the search page, "/" moves focus to the search box (unless typing in a field already).
document.addEventListener("keydown", (event) => {
  const box = document.getElementById("q");
  const typing = event.target instanceof HTMLInputElement || event.target instanceof HTMLTextAreaElement;
  if (box && event.key === "/" && !typing && !event.ctrlKey && !event.metaKey && !event.altKey) {
    event.preventDefault();
    box.focus();
  }
});

// Lists marked `data-live-refresh` refresh themselves when the live stream (GET /live, the
// person's municipality's announcements) says something new was recorded: the page is fetched
// again and each marked element's content is replaced by its counterpart (by id, else by
// order). The read models may apply the event a moment after it is announced, so a refresh
// that finds nothing new is tried again a few times, further apart. At most one refresh at a
// time; none replaces a list that holds the focus, so no one loses their place; a change is
// announced politely to screen readers.
(() => {
  const lists = () => Array.from(document.querySelectorAll("[data-live-refresh]"));
  if (lists().length === 0 || !("EventSource" in window)) return;
  const retries = [500, 1000, 2000, 4000];
  let timer = null;
  const refresh = async (attempt) => {
    timer = null;
    const response = await fetch(window.location.href, { credentials: "same-origin", headers: { Accept: "text/html" } });
    if (!response.ok) return;
    const fresh = new DOMParser().parseFromString(await response.text(), "text/html");
    const incoming = Array.from(fresh.querySelectorAll("[data-live-refresh]"));
    let changed = false;
    lists().forEach((list, index) => {
      const match = (list.id && fresh.getElementById(list.id)) || incoming[index];
      if (!match || list.contains(document.activeElement) || list.innerHTML === match.innerHTML) return;
      list.innerHTML = match.innerHTML;
      changed = true;
    });
    const status = document.getElementById("live-status");
    if (changed && status) status.textContent = status.dataset.updated || "";
    if (!changed && attempt < retries.length && timer === null) schedule(attempt + 1);
  };
  const schedule = (attempt) => {
    if (timer !== null) return;
    timer = setTimeout(() => refresh(attempt).catch(() => { timer = null; }), retries[Math.min(attempt, retries.length - 1)]);
  };
  const source = new EventSource("/live");
  source.addEventListener("event", () => schedule(0));
})();
