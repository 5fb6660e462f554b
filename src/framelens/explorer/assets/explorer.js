// framelens explorer: views of a run's articles, alignments and claims, read from the data
// files beside this page (data/*.js, each calling FL.put). Article text is data: the DOM is
// built with createElement and textContent only, never from HTML strings. The page state
// lives in the URL fragment (#pair=<doc_a>,<doc_b>&model=m, #claim=<id>, #search=<text>).
"use strict";
(function () {
  const store = new Map();
  const pending = new Map();
  const main = document.getElementById("main");
  const modelSelect = document.getElementById("model");
  const RELATIONS = ["verbatim", "rewrite", "paraphrase"];
  const STOP = new Set(("a an and are as at be but by for from had has have he her his in is it its of on or " +
    "said she that the their they this to was were which will with").split(" "));
  let index = null;
  let token = 0;

  // ------------------------------------------------------------------ data loading
  window.FL = {
    put(key, value) {
      store.set(String(key), value);
    },
  };

  /** The value of data/<key>.js (loaded once); rejects when the file is missing. */
  function load(key) {
    if (store.has(key)) return Promise.resolve(store.get(key));
    if (pending.has(key)) return pending.get(key);
    const promise = new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = "data/" + key.split("/").map(encodeURIComponent).join("/") + ".js";
      script.onload = () => (store.has(key) ? resolve(store.get(key)) : reject(new Error("data/" + key + ".js holds no data")));
      script.onerror = () => reject(new Error("data/" + key + ".js is missing"));
      document.head.appendChild(script);
    });
    pending.set(key, promise);
    return promise;
  }

  /** Like load, but a missing file gives ``fallback``. */
  function loadOr(key, fallback) {
    return load(key).catch(() => fallback);
  }

  // ------------------------------------------------------------------ DOM helpers
  /** An element; attrs are set as attributes (never as HTML), children as text or nodes. */
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (name === "class") node.className = value;
      else if (name === "onclick") node.addEventListener("click", value);
      else node.setAttribute(name, String(value));
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      node.appendChild(typeof child === "object" ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  /** A link to a view of this page (the href is always a fragment of ours). */
  function link(label, view, values, model, cls) {
    return el("a", { href: "#" + fragment(view, values, model), class: cls || null }, label);
  }

  function fragment(view, values, model) {
    let text = values && values.length ? view + "=" + values.map((v) => encodeURIComponent(String(v))).join(",") : view;
    if (model) text += "&model=" + encodeURIComponent(model);
    return text;
  }

  function pct(value) {
    return value === null || value === undefined ? "n/a" : Math.round(value * 100) + "%";
  }

  function show(...nodes) {
    main.replaceChildren(...nodes.filter((node) => node !== null && node !== undefined));
    window.scrollTo(0, 0);
  }

  function failure(error) {
    return el("p", { class: "error" }, String(error && error.message ? error.message : error));
  }

  // ------------------------------------------------------------------ the URL fragment
  function decode(text) {
    try {
      return decodeURIComponent(text.replace(/\+/g, " "));
    } catch (error) {
      return text;
    }
  }

  /** The fragment as {key: raw value or null}. */
  function parseHash() {
    const state = {};
    for (const part of location.hash.replace(/^#/, "").split("&")) {
      if (!part) continue;
      const at = part.indexOf("=");
      state[decode(at < 0 ? part : part.slice(0, at))] = at < 0 ? null : part.slice(at + 1);
    }
    return state;
  }

  function listOf(raw) {
    return raw === null || raw === undefined ? [] : raw.split(",").map(decode);
  }

  function currentModel(state) {
    const wanted = state.model === undefined ? null : decode(state.model || "");
    return index.models.includes(wanted) ? wanted : index.models[0];
  }

  // ------------------------------------------------------------------ small lookups
  const docIndex = new Map();

  function docLabel(i) {
    const doc = index.docs[i];
    const parts = [doc[1]];
    if (doc[3]) parts.push(doc[3]);
    return parts.join(", ");
  }

  function docTitle(i) {
    const doc = index.docs[i];
    return doc[2] || "(no title)";
  }

  function docOfSent(sentId) {
    const at = sentId.lastIndexOf(":");
    return docIndex.get(at < 0 ? sentId : sentId.slice(0, at));
  }

  function eventOfClaim(model, claimId) {
    const events = index.model[model].events;
    let best = -1;
    events.forEach((event, k) => {
      if (claimId.startsWith(event[0] + "-c") && (best < 0 || event[0].length > events[best][0].length)) best = k;
    });
    return best;
  }

  function eventOfDoc(model, i) {
    return index.model[model].events.findIndex((event) => event[1].includes(i));
  }

  // ------------------------------------------------------------------ views
  function findingsView(model) {
    const parts = [el("h1", {}, "Findings"),
      el("p", { class: "note" }, "Computed from the run's tables. Each link opens the evidence. Model: ", el("b", {}, model),
        " (switch at the top right).")];
    const sections = [index.robust, ...index.model[model].findings];
    for (const section of sections) {
      parts.push(el("h2", {}, section.title));
      parts.push(el("ul", { class: "findings" }, section.items.map((item) =>
        el("li", {}, item.text, item.links.length ? " " : null,
          item.links.map(([label, frag]) => el("a", { href: "#" + frag, class: "evidence" }, label))))));
    }
    show(...parts);
  }

  const MATRIX_MAX = 40;
  const LIST_MAX = 300;

  function overlapTitle(a, b, row, significant) {
    return `${a} → ${b}: ${pct(row[2])} of ${a}'s sentences reused in ${b} (95% ${pct(row[3])}–${pct(row[4])}); ` +
      `any counterpart ${pct(row[5])} (${pct(row[6])}–${pct(row[7])}); adjusted p ${row[8] === null ? "n/a" : row[8]}` +
      (significant ? "" : " (not significant)");
  }

  async function outletsView(model, selected, my) {
    const overlap = index.model[model].overlap;
    const cells = new Map();
    for (const row of overlap) cells.set(row[0] + "," + row[1], row);
    // the outlets the overlap table compares: a matrix when few, a ranked list when many
    const shown = [...new Set(overlap.flatMap((row) => [row[0], row[1]]))].sort((x, y) => x - y);
    const name = (i) => index.outlets[i];
    const isSelected = (a, b) => selected && selected[0] === a && selected[1] === b;
    let table;
    if (shown.length <= MATRIX_MAX) {
      const head = el("tr", {}, el("th", { class: "corner" }, "row A → column B"),
        shown.map((j) => el("th", { class: "col", title: name(j) }, name(j))));
      const rows = shown.map((i) => el("tr", {}, el("th", { class: "row" }, name(i)), shown.map((j) => {
        const row = cells.get(i + "," + j);
        if (i === j || !row) return el("td", { class: "empty" }, i === j ? "—" : "");
        const [a, b] = [name(i), name(j)];
        const significant = row[8] !== null && row[8] < 0.05;
        const td = el("td", { class: "cell" + (significant ? "" : " ns") + (isSelected(a, b) ? " selected" : ""),
          title: overlapTitle(a, b, row, significant) }, el("a", { href: "#" + fragment("outlets", [a, b], model) },
          el("span", { class: "big" }, pct(row[2])), el("span", { class: "small" }, "any " + pct(row[5]))));
        if (significant) td.style.backgroundColor = `rgba(200, 80, 30, ${0.12 + 0.7 * (row[2] || 0)})`;
        return td;
      })));
      table = el("table", { class: "matrix" }, el("thead", {}, head), el("tbody", {}, rows));
    } else {
      const ranked = overlap.slice().sort((x, y) => ((y[8] !== null && y[8] < 0.05) - (x[8] !== null && x[8] < 0.05)) ||
        (y[2] || 0) - (x[2] || 0) || x[0] - y[0] || x[1] - y[1]).slice(0, LIST_MAX);
      table = el("table", { class: "list" }, el("thead", {}, el("tr", {}, ["outlet A", "outlet B", "reuse", "95% interval", "any", "adjusted p"].map((h) => el("th", {}, h)))),
        el("tbody", {}, ranked.map((row) => {
          const [a, b] = [name(row[0]), name(row[1])];
          const significant = row[8] !== null && row[8] < 0.05;
          return el("tr", { class: significant ? (isSelected(a, b) ? "selected" : null) : "ns", title: overlapTitle(a, b, row, significant) },
            el("td", {}, link(a, "outlets", [a, b], model)), el("td", {}, b), el("td", { class: "num" }, pct(row[2])),
            el("td", { class: "num" }, `${pct(row[3])}–${pct(row[4])}`), el("td", { class: "num" }, pct(row[5])),
            el("td", { class: "num" }, row[8] === null ? "n/a" : String(row[8])));
        })));
    }
    const parts = [el("h1", {}, "Outlets"),
      el("p", { class: "note" }, "Share of outlet A's sentences with a verbatim or rewritten counterpart in outlet B ",
        "(big), and with any counterpart, paraphrases included (small), over the events both cover. Grey: not significant ",
        "(adjusted p ≥ 0.05). Hover for intervals; click a cell for its article pairs. Model: ", el("b", {}, model), ".",
        shown.length > MATRIX_MAX ? ` ${shown.length} outlets: the ${Math.min(LIST_MAX, overlap.length)} strongest of ${overlap.length} ordered pairs, significant first.` : ""),
      el("div", { class: "scroll" }, table)];
    const list = el("div", { id: "outlet-pairs" });
    parts.push(list);
    show(...parts);
    if (!selected) return;
    const ia = index.outlets.indexOf(selected[0]);
    const ib = index.outlets.indexOf(selected[1]);
    if (ia < 0 || ib < 0) {
      list.replaceChildren(failure("No outlet named " + (ia < 0 ? selected[0] : selected[1])));
      return;
    }
    const data = await loadOr(`${model}/outlets/${Math.min(ia, ib)}-${Math.max(ia, ib)}`, { pairs: [] });
    if (my !== token) return;
    list.replaceChildren(el("h2", {}, `Article pairs: ${selected[0]} and ${selected[1]}`), pairList(model, data.pairs));
    list.scrollIntoView();
  }

  function pairList(model, pairs) {
    if (!pairs.length) return el("p", { class: "note" }, "No aligned sentences between these articles under this model.");
    return el("ul", { class: "pairs" }, pairs.map(([i, j, nv, nr, np]) => el("li", {},
      link(`${docLabel(i)} ↔ ${docLabel(j)}`, "pair", [index.docs[i][0], index.docs[j][0]], model),
      " ", el("span", { class: "counts" }, `${nv} verbatim, ${nr} rewrite, ${np} paraphrase`),
      el("div", { class: "titles" }, docTitle(i), " | ", docTitle(j)))));
  }

  function eventsView(model) {
    const rows = index.model[model].events.map(([id, docs]) => {
      const outlets = [...new Set(docs.map((i) => index.docs[i][1]))].sort();
      return el("tr", {}, el("td", {}, link(id, "event", [id], model)), el("td", { class: "num" }, docs.length), el("td", {}, outlets.join(", ")));
    });
    show(el("h1", {}, "Events"), el("p", { class: "note" }, "Articles grouped into events under model ", el("b", {}, model), "."),
      el("table", { class: "list" }, el("thead", {}, el("tr", {}, el("th", {}, "event"), el("th", {}, "articles"), el("th", {}, "outlets"))),
        el("tbody", {}, rows)));
  }

  async function eventView(model, eventId, my) {
    const k = index.model[model].events.findIndex((event) => event[0] === eventId);
    if (k < 0) return show(failure(`No event ${eventId} under model ${model}`));
    const event = await load(`${model}/events/${k}`);
    if (my !== token) return;
    const head = el("tr", {}, el("th", {}, "claim"), el("th", {}, "representative sentence"),
      event.outlets.map((name) => el("th", { class: "col", title: name }, name)));
    const rows = event.claims.map((claim) => el("tr", { class: claim.core ? "core" : null, "data-claim-id": claim.id },
      el("td", {}, link(claim.label || claim.id, "claim", [claim.id], model), claim.core ? el("span", { class: "tag" }, "core") : null,
        claim.own ? el("span", { class: "tag own" }, "only " + claim.own) : null),
      el("td", { class: "rep" }, claim.rep),
      claim.cells.map((cell, n) => el("td", { class: "mark m" + cell, title: `${event.outlets[n]}: ${["absent", "present", "in the lead"][cell]}` },
        ["", "●", "◆"][cell]))));
    show(el("h1", {}, `Event ${event.event_id}`),
      el("p", { class: "note" }, `${event.docs.length} articles, ${event.outlets.length} outlets, ${event.claims.length} claims under model `,
        el("b", {}, model), ". ● carries the claim, ◆ in its lead; core claims are shared by most outlets. Click a claim to read it outlet by outlet."),
      el("div", { class: "scroll" }, el("table", { class: "coverage" }, el("thead", {}, head), el("tbody", {}, rows))),
      el("h2", {}, "Article pairs"), pairList(model, event.pairs),
      el("h2", {}, "Articles"), el("ul", {}, event.docs.map((i) => el("li", {}, docLabel(i), ": ", docTitle(i)))));
  }

  async function claimView(model, claimId, my) {
    const k = eventOfClaim(model, claimId);
    if (k < 0) return show(failure(`No claim ${claimId} under model ${model}`));
    const event = await load(`${model}/events/${k}`);
    const claim = event.claims.find((c) => c.id === claimId);
    if (!claim) return show(failure(`No claim ${claimId} under model ${model}`));
    const docs = [...new Set(claim.sents.map(docOfSent).filter((i) => i !== undefined))];
    const loaded = new Map(await Promise.all(docs.map(async (i) => [i, await load("docs/" + i)])));
    if (my !== token) return;
    const section = el("section", { class: "claim", "data-claim-id": claim.id });
    section.append(el("h1", {}, `Claim ${claim.id}: ${claim.label}`),
      el("p", { class: "rep" }, "Most central sentence: ", el("q", {}, claim.rep)),
      el("p", { class: "note" }, claim.core ? "A core claim of event " : "A claim of event ", link(event.event_id, "event", [event.event_id], model),
        claim.own ? `, carried by ${claim.own} alone` : "", `. Model: ${model}. Quotes and disputed figures are marked.`));
    const missing = [];
    event.outlets.forEach((outlet, n) => {
      const mine = claim.sents.filter((s) => index.docs[docOfSent(s)] && index.docs[docOfSent(s)][1] === outlet);
      if (!mine.length) return missing.push(outlet);
      const block = el("div", { class: "outlet" }, el("h3", {}, outlet, claim.cells[n] === 2 ? el("span", { class: "tag" }, "in the lead") : null));
      for (const sentId of mine) {
        const i = docOfSent(sentId);
        const doc = loaded.get(i);
        const at = doc.sentences.findIndex((row) => row[0] === sentId);
        const row = doc.sentences[at];
        const item = el("div", { class: "claim-sent" }, sentence(row, null));
        for (const [kind, speaker, quote] of event.quotes[sentId] || []) {
          item.append(el("span", { class: "badge quote", title: quote }, `${kind} quote${speaker ? ": " + speaker : ""}`));
        }
        for (const [kind, unit, values, written] of event.disputed[sentId] || []) {
          item.append(el("span", { class: "badge disputed", title: `${kind}: ${values}` }, `disputed ${unit}: ${written ? written + " (" + values + ")" : values}`));
        }
        const top = doc.models[model] && doc.models[model].top[at];
        const other = top ? docOfSent(top[0]) : undefined;
        item.append(el("div", { class: "where" }, docTitle(i), " · ",
          other !== undefined ? link(`side by side with ${docLabel(other)}`, "pair", [index.docs[i][0], index.docs[other][0]], model) : "no counterpart"));
        block.append(item);
      }
      section.append(block);
    });
    if (missing.length) section.append(el("p", { class: "missing" }, "Not carried by: " + missing.join(", ")));
    show(section);
  }

  /** ``text`` as text nodes, the words in ``wanted`` (folded) inside <mark>. */
  function marked(text, wanted) {
    if (!wanted || !wanted.length) return [text];
    const nodes = [];
    let last = 0;
    for (const match of text.matchAll(/[\p{L}\p{N}]+(?:[,.][0-9]+)*/gu)) {
      if (!wanted.includes(fold(match[0]))) continue;
      if (match.index > last) nodes.push(text.slice(last, match.index));
      nodes.push(el("mark", {}, match[0]));
      last = match.index + match[0].length;
    }
    if (last < text.length) nodes.push(text.slice(last));
    return nodes;
  }

  /** One sentence as a span carrying data-sent-id (and what greys it); ``wanted``: the
   * folded words to mark. */
  function sentence(row, extra, wanted) {
    const [sentId, , text, heading, greyed, repeat] = row;
    const span = el("span", { class: "sent" + (heading ? " heading" : "") + (greyed ? " grey" : ""), "data-sent-id": sentId }, marked(text, wanted));
    if (greyed) {
      span.title = greyed === "repeat" ? "repeats " + repeat + " (not counted)" : "boilerplate: " + greyed + " (not counted)";
      span.append(el("span", { class: "reason" }, greyed === "repeat" ? "repeat" : greyed));
    }
    if (extra) extra(span);
    return span;
  }

  async function pairView(model, ids, my) {
    const [ia, ib] = ids.map((id) => docIndex.get(id));
    if (ids.length !== 2 || ia === undefined || ib === undefined) {
      return show(failure("A pair is two article ids: #pair=<doc_id_a>,<doc_id_b> (unknown: " + ids.filter((id) => !docIndex.has(id)).join(", ") + ")"));
    }
    const [docA, docB, pair] = await Promise.all([load("docs/" + ia), load("docs/" + ib),
      loadOr(`${model}/pairs/${Math.min(ia, ib)}-${Math.max(ia, ib)}`, { links: [] })]);
    if (my !== token) return;
    // links as [sentence in A, sentence in B, relation, semantic, lexical, sequence, number]
    const links = pair.links.map((row, n) => (ia <= ib ? [row[0], row[1]] : [row[1], row[0]]).concat(row.slice(2, 6), [n + 1]));
    const bySent = new Map();
    for (const row of links) {
      for (const side of [0, 1]) {
        if (!bySent.has(row[side])) bySent.set(row[side], []);
        bySent.get(row[side]).push({ other: row[1 - side], relation: row[2], semantic: row[3], lexical: row[4], sequence: row[5], n: row[6] });
      }
    }
    const order = (link) => [RELATIONS.indexOf(link.relation), -(link.semantic || 0)];
    const counts = RELATIONS.map((rel) => `${links.filter((row) => row[2] === rel).length} ${rel}`).join(", ");
    const columns = [[ia, docA, "left"], [ib, docB, "right"]].map(([i, doc, side]) => {
      const column = el("article", { class: "column " + side, id: "col-" + side },
        el("header", {}, el("div", { class: "outlet-name" }, index.docs[i][1]), el("div", { class: "title" }, docTitle(i)),
          el("div", { class: "meta" }, [index.docs[i][3] || "no date", index.docs[i][0]].join(" · "))));
      let paragraph = null;
      let current = null;
      for (const row of doc.sentences) {
        if (current === null || row[1] !== paragraph) {
          current = el("p", {});
          column.append(current);
          paragraph = row[1];
        }
        current.append(sentence(row, (span) => {
          const mine = bySent.get(row[0]);
          if (!mine) return;
          mine.sort((x, y) => order(x)[0] - order(y)[0] || order(x)[1] - order(y)[1]);
          span.classList.add("aligned", "rel-" + mine[0].relation);
          span.setAttribute("data-relation", mine[0].relation);
          span.setAttribute("data-counterpart", mine[0].other);
          span.setAttribute("data-counterparts", mine.map((m) => m.other).join(" "));
          span.setAttribute("data-relations", mine.map((m) => m.relation).join(" "));
          span.title = mine.map((m) => `${m.relation} #${m.n} with ${m.other}: semantic ${m.semantic}, lexical ${m.lexical}, sequence ${m.sequence}`).join("\n") +
            "\nclick: jump to the counterpart";
          span.prepend(...mine.map((m) => el("sup", { class: "badge-n rel-" + m.relation }, String(m.n))));
          span.addEventListener("click", () => jump(mine[0].other));
        }));
      }
      return column;
    });
    const apart = eventOfDoc(model, ia) !== eventOfDoc(model, ib);
    show(el("h1", {}, "Article pair"),
      apart ? el("p", { class: "missing" }, `These articles are in different events under model ${model}; sentences are aligned only within an event.`) : null,
      el("p", { class: "note" }, `Aligned under model ${model}: ${counts}. `,
        el("span", { class: "key rel-verbatim" }, "verbatim"), " ", el("span", { class: "key rel-rewrite" }, "rewrite"), " ",
        el("span", { class: "key rel-paraphrase" }, "paraphrase"), " ", el("span", { class: "key grey" }, "boilerplate or repeat (not counted)"),
        ". Matching numbers join a pair; hover for scores; click to jump to the counterpart."),
      el("div", { class: "pair" }, columns));
  }

  function jump(sentId) {
    const target = main.querySelector(`[data-sent-id="${CSS.escape(sentId)}"]`);
    if (!target) return;
    target.scrollIntoView({ block: "center", behavior: "smooth" });
    target.classList.add("flash");
    setTimeout(() => target.classList.remove("flash"), 1200);
  }

  // ------------------------------------------------------------------ search
  function fold(text) {
    return text.normalize("NFKD").replace(/\p{M}/gu, "").toLowerCase().replace(/(?<=[0-9])[,.](?=[0-9])/g, "");
  }

  function words(text) {
    const found = fold(text).match(/[\p{L}\p{N}]+/gu) || [];
    return [...new Set(found.filter((w) => (w.length > 1 || /^[0-9]+$/.test(w)) && !STOP.has(w)))];
  }

  function phrase(text) {
    return (fold(text).match(/[\p{L}\p{N}]+/gu) || []).join(" ");
  }

  function shardOf(word, shards) {
    let hash = 0x811c9dc5;
    for (const ch of word) {
      hash ^= ch.codePointAt(0);
      hash = Math.imul(hash, 0x01000193) >>> 0;
    }
    return hash % shards;
  }

  async function searchView(model, query, my) {
    const box = document.getElementById("search-box");
    if (box.value !== query) box.value = query;
    const wanted = words(query);
    if (!wanted.length) return show(el("h1", {}, "Search"), el("p", { class: "note" }, "Type a word, a name or a number (two characters or more)."));
    const lists = await Promise.all(wanted.map(async (word) => {
      const shard = await loadOr("search/" + shardOf(word, index.search.shards), {});
      return Object.prototype.hasOwnProperty.call(shard, word) ? shard[word] : [];
    }));
    if (my !== token) return;
    lists.sort((x, y) => x.length - y.length);
    let hits = [];
    for (let n = 0; n < lists[0].length; n += 2) hits.push([lists[0][n], lists[0][n + 1]]);
    for (const list of lists.slice(1)) {
      const keys = new Set();
      for (let n = 0; n < list.length; n += 2) keys.add(list[n] + ":" + list[n + 1]);
      hits = hits.filter(([i, k]) => keys.has(i + ":" + k));
    }
    const LIMIT_DOCS = 50;
    const docs = [...new Set(hits.map(([i]) => i))].sort((x, y) => x - y);
    const shownDocs = docs.slice(0, LIMIT_DOCS);
    const loaded = new Map(await Promise.all(shownDocs.map(async (i) => [i, await load("docs/" + i)])));
    if (my !== token) return;
    let shown = hits.filter(([i]) => loaded.has(i));
    const exact = phrase(query);
    if (wanted.length > 1) {
      const close = shown.filter(([i, k]) => phrase(loaded.get(i).sentences[k][2]).includes(exact));
      if (close.length) shown = close;
    }
    const groups = new Map();
    for (const [i, k] of shown) {
      if (!groups.has(i)) groups.set(i, []);
      groups.get(i).push(k);
    }
    const results = el("div", { class: "results" });
    for (const [i, ks] of groups) {
      const doc = loaded.get(i);
      const block = el("div", { class: "result", "data-doc-id": index.docs[i][0] },
        el("h3", {}, index.docs[i][1], el("span", { class: "title" }, " · " + docTitle(i))));
      for (const k of ks) {
        const row = doc.sentences[k];
        const mine = doc.models[model] || { claims: [], top: [] };
        const claim = mine.claims[k];
        const top = mine.top[k];
        const other = top ? docOfSent(top[0]) : undefined;
        let pairWith = other;
        if (pairWith === undefined) {
          const e = eventOfDoc(model, i);
          const partners = e < 0 ? [] : index.model[model].events[e][1].filter((j) => j !== i);
          pairWith = partners.length ? partners[0] : undefined;
        }
        block.append(el("div", { class: "hit" }, sentence(row, null, wanted), el("div", { class: "where" },
          claim ? link("claim " + claim, "claim", [claim], model) : "no claim",
          " · ",
          pairWith !== undefined ? link(`${top ? top[1] + " in" : "side by side with"} ${docLabel(pairWith)}`, "pair", [index.docs[i][0], index.docs[pairWith][0]], model) : "no other article in its event")));
      }
      results.append(block);
    }
    const more = docs.length > LIMIT_DOCS ? ` (the first ${LIMIT_DOCS} articles shown)` : "";
    if (!shown.length) {
      results.append(el("p", { class: "missing" }, `No sentence holds every one of these words: ${wanted.join(", ")}. Try fewer words.`));
    }
    show(el("h1", {}, "Search"), el("p", { class: "note", id: "search-summary" },
      `${shown.length} sentence(s) in ${groups.size} of ${docs.length} matching article(s)${more} for `, el("q", {}, query), ` (accents and case ignored; model ${model}).`),
    results);
  }

  // ------------------------------------------------------------------ routing
  async function route() {
    const my = ++token;
    const state = parseHash();
    const model = currentModel(state);
    modelSelect.value = model;
    for (const a of document.querySelectorAll("nav a")) {
      a.href = "#" + fragment(a.dataset.view === "findings" ? "findings" : a.dataset.view, null, model);
    }
    try {
      if ("pair" in state) await pairView(model, listOf(state.pair), my);
      else if ("claim" in state) await claimView(model, decode(state.claim || ""), my);
      else if ("event" in state) await eventView(model, decode(state.event || ""), my);
      else if ("search" in state) await searchView(model, decode(state.search || ""), my);
      else if ("outlets" in state) await outletsView(model, state.outlets ? listOf(state.outlets) : null, my);
      else if ("events" in state) eventsView(model);
      else findingsView(model);
    } catch (error) {
      if (my === token) show(failure(error));
    }
    document.body.setAttribute("data-ready", String(my));
    if (my === 1) document.body.setAttribute("data-first-view-ms", String(Math.round(performance.now())));
  }

  function withModel(model) {
    const state = parseHash();
    state.model = encodeURIComponent(model);
    return "#" + Object.entries(state).map(([k, v]) => (v === null ? encodeURIComponent(k) : encodeURIComponent(k) + "=" + v)).join("&");
  }

  async function start() {
    try {
      index = await load("index");
    } catch (error) {
      show(failure(error));
      return;
    }
    index.docs.forEach((doc, i) => docIndex.set(doc[0], i));
    for (const name of index.models) modelSelect.append(el("option", { value: name }, name));
    modelSelect.addEventListener("change", () => {
      location.hash = withModel(modelSelect.value);
    });
    document.getElementById("search-form").addEventListener("submit", (event) => {
      event.preventDefault();
      const query = document.getElementById("search-box").value;
      location.hash = fragment("search", [query], currentModel(parseHash()));
    });
    window.addEventListener("hashchange", route);
    await route();
  }

  start();
})();
