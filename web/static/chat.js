// Progressive enhancement of the chat: post to /api/ask and add the answer in place.
// Without JavaScript the form posts to / and the server renders the same markup (templates/_macros.html).
// Every text goes in with textContent: nothing from the server or the user is parsed as HTML.
(function () {
  "use strict";
  var form = document.getElementById("vraag-form");
  if (!form || !window.fetch) { return; }
  var box = document.getElementById("vraag");
  var log = document.getElementById("gesprek");
  var block = document.getElementById("gesprek-blok");
  var live = document.getElementById("meldingen");
  var csrf = form.querySelector("input[name=csrf_token]").value;
  var feedbackUrl = "/feedback";

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") { node.textContent = attrs[k]; } else { node.setAttribute(k, attrs[k]); }
    });
    (children || []).forEach(function (c) { if (c) { node.appendChild(typeof c === "string" ? document.createTextNode(c) : c); } });
    return node;
  }

  function nl(value, places) {
    if (value === null || value === undefined) { return "onbekend"; }
    return Number(value).toLocaleString("nl-NL", places === undefined ? { maximumFractionDigits: 2 }
      : { minimumFractionDigits: places, maximumFractionDigits: places });
  }

  function entryLink(c) {
    var params = new URLSearchParams();
    c.sentences.forEach(function (s) { params.append("markeer", s); });
    return "/catalogus/" + encodeURIComponent(c.entry_id) + "?" + params.toString() + "#" + encodeURIComponent(c.anchor);
  }

  // The passage as text, with each quoted sentence in <mark> (as the server's mark_sentences filter does).
  function markedPassage(passage, sentences) {
    var quote = el("blockquote");
    var spans = sentences.map(function (s) { var i = passage.indexOf(s); return [i, i + s.length]; })
      .filter(function (span) { return span[0] >= 0; }).sort(function (a, b) { return a[0] - b[0]; });
    var at = 0;
    spans.forEach(function (span) {
      if (span[0] < at) { return; }
      quote.appendChild(document.createTextNode(passage.slice(at, span[0])));
      quote.appendChild(el("mark", { text: passage.slice(span[0], span[1]) }));
      at = span[1];
    });
    quote.appendChild(document.createTextNode(passage.slice(at)));
    return quote;
  }

  function quoted(answer, aid) {
    var p = el("p", { "class": "quote" });
    answer.citations.forEach(function (c) {
      c.sentences.forEach(function (s) {
        p.appendChild(document.createTextNode(s + " "));
        p.appendChild(el("a", { "class": "marker", href: "#bron-" + aid + "-" + c.n, "aria-label": "bron " + c.n, text: "[" + c.n + "]" }));
        p.appendChild(document.createTextNode(" "));
      });
    });
    var list = el("ol", { "class": "citations" });
    answer.citations.forEach(function (c) {
      var item = el("li", { id: "bron-" + aid + "-" + c.n }, [
        el("p", { "class": "cite-title" }, [
          el("span", { "class": "cite-n", text: "[" + c.n + "]" }), " ",
          el("a", { href: entryLink(c), text: c.title + " – " + c.section })
        ]),
        markedPassage(c.passage, c.sentences)
      ]);
      if (c.outdated) {
        item.appendChild(el("p", { "class": "warning", text: "Let op: deze regel geldt niet meer" + (c.valid_until ? " (geldig tot " + c.valid_until + ")." : ".") }));
      }
      list.appendChild(item);
    });
    return [p, el("h4", { "class": "visually-hidden", text: "Bronnen" }), list];
  }

  function calculation(r) {
    var rows = [
      ["Quotumplichtig", r.liable === null ? "onbekend" : (r.liable ? "ja" : "nee")],
      ["Quotumpercentage", r.quota_percentage === null ? "onbekend voor " + r.year : nl(r.quota_percentage) + "%"],
      ["Verplichte banen", nl(r.required_jobs, 2)],
      ["Gerealiseerde banen", nl(r.realised_jobs, 2)],
      ["Quotumtekort", nl(r.shortfall, 1)],
      ["Quotumheffing (rekenvoorbeeld)", r.levy_eur === null ? "onbekend" : "€ " + nl(r.levy_eur, 0) + (r.levy_levied ? "" : " (niet opgelegd)")]
    ];
    var summary = el("dl", { "class": "summary" }, rows.map(function (row) {
      return el("div", {}, [el("dt", { text: row[0] }), el("dd", { text: row[1] })]);
    }));
    var steps = el("ol", { "class": "steps" }, r.steps.map(function (s) {
      return el("li", {}, [
        el("strong", { text: s.label }), " ",
        el("span", { "class": "formula" }, [s.formula + " = ", el("strong", { text: s.value })]),
        el("span", { "class": "step-source", text: "Bron: " + s.source })
      ]);
    }));
    var sources = el("ul", { "class": "sources" }, r.sources.map(function (s) {
      return el("li", { text: s.title + " (" + s.publisher + ", " + s.date + ")" + (s.locator ? ", " + s.locator : "") + " " }, [
        s.url ? el("a", { href: s.url, text: s.url }) : null
      ]);
    }));
    var parts = [summary, el("p", { text: r.liable_reason })];
    if (r.notes.length) { parts.push(el("ul", { "class": "notes" }, r.notes.map(function (n) { return el("li", { text: n }); }))); }
    parts.push(el("h4", { text: "Zo is het berekend" }), steps,
      el("details", {}, [el("summary", { text: "Alle bronnen van deze berekening" }), sources]));
    return el("div", { "class": "calculation" }, parts);
  }

  function feedbackForm(aid, conversationId) {
    function choice(value, label) {
      var id = "fb-" + value + "-" + aid;
      return el("span", { "class": "choice" }, [
        el("input", { type: "radio", name: "helpful", value: value, id: id }), " ", el("label", { "for": id, text: label })
      ]);
    }
    return el("form", { "class": "feedback", method: "post", action: feedbackUrl }, [
      el("input", { type: "hidden", name: "csrf_token", value: csrf }),
      el("input", { type: "hidden", name: "answer_id", value: String(aid) }),
      el("input", { type: "hidden", name: "conversation_id", value: conversationId }),
      el("fieldset", {}, [el("legend", { text: "Had u iets aan dit antwoord?" }), choice("ja", "Ja"), choice("nee", "Nee")]),
      el("details", { "class": "reason" }, [
        el("summary", { text: "Iets toelichten (niet verplicht)" }),
        el("label", { "for": "fb-reden-" + aid, text: "Wat kan beter? Vul geen persoonsgegevens in." }),
        el("textarea", { id: "fb-reden-" + aid, name: "reason", rows: "2", maxlength: "500" })
      ]),
      el("button", { type: "submit", "class": "secondary", text: "Verstuur reactie" })
    ]);
  }

  function turn(question, a) {
    var aid = a.answer_id;
    var body = el("div", { "class": "answer answer-" + a.status });
    if (a.status === "answered") {
      quoted(a, aid).forEach(function (n) { body.appendChild(n); });
    } else if (a.status === "calculated") {
      body.appendChild(el("p", { text: a.answer.split("\n")[0] }));
      body.appendChild(calculation(a.calculation));
    } else if (a.status === "needs_clarification") {
      body.appendChild(el("p", {}, [el("strong", { text: "Ik heb nog iets nodig." }), " " + a.answer]));
    } else {
      body.appendChild(el("p", { "class": "refusal", text: a.answer }));
    }
    if (a.notices.length) {
      body.appendChild(el("ul", { "class": "notices" }, a.notices.map(function (n) {
        return el("li", /^This answer/.test(n) ? { text: n, lang: "en" } : { text: n });
      })));
    }
    return el("article", { "class": "turn", id: "antwoord-" + aid, "aria-labelledby": "vraag-" + aid }, [
      el("h3", { "class": "question", id: "vraag-" + aid }, [el("span", { "class": "visually-hidden", text: "Uw vraag: " }), question]),
      body,
      feedbackForm(aid, a.conversation_id)
    ]);
  }

  function setConversation(id) {
    document.querySelectorAll("input[name=conversation_id]").forEach(function (input) { input.value = id; });
    if (window.history && window.history.replaceState) {
      window.history.replaceState(null, "", "/?gesprek=" + encodeURIComponent(id));
    }
  }

  function showError(message) {
    var old = document.getElementById("vraag-fout");
    if (old) { old.remove(); }
    var p = el("p", { "class": "field-error", id: "vraag-fout" }, [el("span", { "class": "visually-hidden", text: "Fout: " }), message]);
    box.parentNode.insertBefore(p, box);
    box.setAttribute("aria-invalid", "true");
    box.setAttribute("aria-describedby", "vraag-hint vraag-fout");
    live.textContent = message;
  }

  document.querySelectorAll(".examples button[name=question]").forEach(function (button) {
    button.addEventListener("click", function (event) {
      event.preventDefault();
      box.value = button.value;
      form.requestSubmit ? form.requestSubmit() : form.dispatchEvent(new Event("submit", { cancelable: true }));
    });
  });

  form.addEventListener("submit", function (event) {
    var question = box.value.trim();
    var button = form.querySelector("button[type=submit]");
    event.preventDefault();
    if (!question) { showError("Typ een vraag."); box.focus(); return; }
    button.disabled = true;
    live.textContent = "Even zoeken naar een antwoord…";
    fetch("/api/ask", {
      method: "POST",
      headers: { "Content-Type": "application/json", "Accept": "application/json" },
      body: JSON.stringify({ question: question, conversation_id: form.elements.conversation_id.value || undefined })
    }).then(function (response) {
      return response.json().then(function (data) { return { ok: response.ok, data: data }; });
    }).then(function (result) {
      if (!result.ok) { showError(result.data.error || "Er ging iets mis. Probeer het opnieuw."); return; }
      var a = result.data;
      var old = document.getElementById("vraag-fout");
      if (old) { old.remove(); }
      box.removeAttribute("aria-invalid");
      box.setAttribute("aria-describedby", "vraag-hint");
      log.appendChild(turn(question, a));
      block.hidden = false;
      var examples = document.querySelector(".examples");
      if (examples) { examples.remove(); }
      setConversation(a.conversation_id);
      form.querySelector("label[for=vraag]").textContent = "Stel een vervolgvraag";
      box.value = "";
      live.textContent = "Antwoord: " + (a.status === "calculated" ? a.answer.split("\n")[0] : a.answer);
      document.getElementById("antwoord-" + a.answer_id).scrollIntoView({ block: "start" });
    }).catch(function () {
      showError("De helpdesk is nu niet bereikbaar. Probeer het opnieuw.");
    }).then(function () {
      button.disabled = false;
    });
  });
}());
