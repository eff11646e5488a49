// /search/?q=<words>: what the header's search box finds in the signed-in person's projects
// (project names and descriptions, task titles and descriptions, comments), best match first, in
// pages. Each hit says its kind and project, links to its task (or its project's tasks) and shows
// the API's plain-text snippet, always as text.
import { api } from "./api.js";
import { $, h, pagedList, requireUser, setUrlQuery, showPlaceholders, showsPlaceholders } from "./ui.js";

const PAGE_SIZE = 20;
const KINDS = { project: "Project", task: "Task", comment: "Comment" };

const list = $("#search-list");
const summary = $("#search-summary");
const empty = $("#search-empty");
const errorBox = $("#search-error");
const params = new URLSearchParams(location.search);
const query = (params.get("q") || "").trim();
const box = $("#site-search-q");
if (box) box.value = query;

const projectUrl = (project) => `/projects/${encodeURIComponent(project.slug)}/tasks/`;
const taskUrl = (project, task) => `/tasks/?${new URLSearchParams({ project: project.slug, task: task.slug })}`;

function hit(item) {
  const kind = KINDS[item.type] || item.type;
  const target = item.task ? taskUrl(item.project, item.task) : projectUrl(item.project);
  const title = item.task ? item.task.title : item.project.name;
  return h(
    "li",
    { class: `card item search-hit search-${item.type}` },
    h(
      "div",
      { class: "item-head" },
      h("h2", { class: "item-title" }, h("a", { href: target }, title)),
      h("span", { class: "badges" }, h("span", { class: "badge badge-kind" }, kind)),
    ),
    item.task
      ? h(
          "dl",
          { class: "meta" },
          h("div", {}, h("dt", {}, "Project"), h("dd", {}, h("a", { href: projectUrl(item.project) }, item.project.name))),
        )
      : null,
    item.snippet ? h("p", { class: "search-snippet" }, item.snippet) : null,
  );
}

let count = 0;
const load = pagedList({
  list,
  errorBox,
  empty,
  pager: $("#search-pager"),
  fetchPage: async (page) => {
    if (!list.children.length) showPlaceholders(list);
    const data = await api("GET", "/api/search/", { query: { q: query, page, page_size: PAGE_SIZE } });
    count = data.count;
    return data;
  },
  render: hit,
  emptyText: () => `Nothing found for “${query}”.`,
  drawn: (page) => {
    summary.textContent = count ? `${count} ${count === 1 ? "result" : "results"} for “${query}”` : "";
    setUrlQuery({ q: query, page: page > 1 ? page : "" });
  },
});

// ------------------------------------------------------------------ start
await requireUser();
if (query.length < 2) {
  list.setAttribute("aria-busy", "false");
  summary.textContent = query
    ? "Type at least 2 characters to search."
    : "Type words in the search box to find projects, tasks and comments.";
  if (box) box.focus();
} else {
  document.title = `“${query}” · Search · Tracker`;
  await load(Math.max(1, Number(params.get("page")) || 1));
  if (showsPlaceholders(list)) list.replaceChildren(); // an error: no grey items left behind
}
