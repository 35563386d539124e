/* newsite comments for other sites' pages.
 *
 * <div data-newsite-url="https://host.example/story/1" data-newsite-title="…"></div>
 * <script src="https://newsite.example/embed.js" async></script>
 *
 * Drawn in a shadow root: the host's CSS cannot reach in and ours cannot leak out.
 * (Open, not closed: the host's scripts are trusted with the page anyway, and tests
 * and assistive tools can see in.) No cookie of newsite's is used: the voter token, a
 * guest's trust token and the session (single sign-on, or the "Log in with newsite"
 * popup) are kept in the host page's localStorage, the edit tokens of this tab's own
 * comments in its sessionStorage (they last the edit window only), all sent as headers,
 * so it works with third-party cookies blocked.
 * Every text goes through t(), which asks window.gettext / window.ngettext when the
 * page has them (Django's JavaScriptCatalog) and falls back to the English source.
 */
(function () {
  "use strict";
  var me = document.currentScript;
  var BASE = new URL(me ? me.src : "/", location.href).origin;
  var API = BASE + "/api/v1/";
  var KEY = "newsite:" + BASE + ":";

  function t(single, plural, n) {
    if (plural !== undefined) {
      return window.ngettext ? window.ngettext(single, plural, n) : n === 1 ? single : plural;
    }
    return window.gettext ? window.gettext(single) : single;
  }
  function fmt(text, values) {
    return text.replace(/%\((\w+)\)s/g, function (_, name) { return values[name]; });
  }
  function load(name) {
    try { return JSON.parse(localStorage.getItem(KEY + name)); } catch (e) { return null; }
  }
  function save(name, value) {
    try {
      if (value === null) localStorage.removeItem(KEY + name);
      else localStorage.setItem(KEY + name, JSON.stringify(value));
    } catch (e) { /* storage off: this page view only */ }
  }

  var session = load("session");
  if (session && session.until < Date.now()) session = null;
  var widgets = [];
  // This tab's own comments: {id: {k: guest edit token or "", b: the text sent, u: until}}.
  var mine = {};
  try { mine = JSON.parse(sessionStorage.getItem(KEY + "mine")) || {}; } catch (e) { /* none */ }
  Object.keys(mine).forEach(function (id) { if (mine[id].u < Date.now()) delete mine[id]; });
  save("edit", null); // edit tokens were once kept for good in localStorage
  function saveMine() {
    try { sessionStorage.setItem(KEY + "mine", JSON.stringify(mine)); } catch (e) { /* this view only */ }
  }
  function own(c) {
    var entry = mine[c.id];
    return entry && entry.u > Date.now() && (entry.k || session) ? entry : null;
  }

  function api(method, path, body, headers) {
    headers = headers || {};
    headers.Accept = "application/json";
    var voter = load("voter");
    headers["X-Newsite-Voter"] = voter || "new";
    var trust = load("trust");
    if (trust) headers["X-Comment-Trust"] = trust;
    if (session) headers.Authorization = "Bearer " + session.token;
    if (body && !(body instanceof FormData)) {
      headers["Content-Type"] = "application/json";
      body = JSON.stringify(body);
    }
    var url = /^https?:/.test(path) ? path : API + path;
    return fetch(url, { method: method, body: body, headers: headers, credentials: "omit" })
      .then(function (response) {
        var given = response.headers.get("X-Newsite-Voter");
        if (given) save("voter", given);
        if (response.status === 401 && session) logout();
        return response.json().catch(function () { return {}; }).then(function (data) {
          if (!response.ok) throw data;
          return data;
        });
      });
  }
  function errorText(data) {
    if (!data || typeof data !== "object") return t("Something went wrong. Please try again.");
    if (data.detail) return data.detail;
    var lines = [];
    Object.keys(data).forEach(function (field) {
      var value = data[field];
      lines.push(Array.isArray(value) ? value.join(" ") : errorText(value));
    });
    return lines.join(" ") || t("Something went wrong. Please try again.");
  }

  function login(token) {
    var first = widgets[0];
    return api("POST", "embed/sso/", { token: token, url: first ? first.url : location.href })
      .then(signedIn);
  }
  function signedIn(data) {
    session = { token: data.token, name: data.name, until: Date.now() + data.expires_in * 900 };
    save("session", session);
    widgets.forEach(function (w) { w.drawForm(); });
    return data.name;
  }
  /* "Log in with newsite": a first-party popup on newsite's origin (allauth's log-in there),
   * which hands back a session token with postMessage addressed to this page's origin. */
  var popup = null;
  function popupLogin() {
    popup = window.open(BASE + "/embed/login/?origin=" + encodeURIComponent(location.origin),
      "newsite-login", "popup,width=520,height=640");
    return popup;
  }
  window.addEventListener("message", function (ev) {
    var d = ev.data;
    if (ev.origin !== BASE || !popup || ev.source !== popup || !d || d.type !== "newsite:login") return;
    popup = null;
    signedIn(d);
  });
  function logout() {
    session = null;
    save("session", null);
    widgets.forEach(function (w) { w.drawForm(); });
  }

  /* ---- drawing helpers ---- */
  function h(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      var value = attrs[name];
      if (name === "on") Object.keys(value).forEach(function (ev) { node.addEventListener(ev, value[ev]); });
      else if (name === "text") node.textContent = value;
      else if (value !== null && value !== false && value !== undefined) node.setAttribute(name, value);
    });
    (children || []).forEach(function (child) {
      if (child) node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }
  var CSS =
    ":host{all:initial;display:block;font:16px/1.5 system-ui,sans-serif;color:#1a1a1a}" +
    "*{box-sizing:border-box}h2{font-size:1.3em;margin:.5em 0}" +
    "button{font:inherit;cursor:pointer;border:1px solid #888;background:#f4f4f4;border-radius:4px;padding:.2em .6em;margin:0 .3em .3em 0}" +
    "button[aria-pressed=true]{background:#1a4d8f;color:#fff}" +
    "input,textarea,select{font:inherit;width:100%;padding:.3em;margin:.2em 0 .5em;border:1px solid #888;border-radius:4px}" +
    "label{display:block;font-weight:600}.row{display:flex;gap:.5em;flex-wrap:wrap;align-items:center}" +
    ".c{border-top:1px solid #ddd;padding:.6em 0}.meta{color:#555;font-size:.9em}.badge{background:#eee;border-radius:3px;padding:0 .3em;margin-left:.3em}" +
    ".star{border:0;background:none;font-size:1.4em;padding:0 .1em;color:#b8860b}.err{color:#a00}.ok{color:#075}" +
    ".thumb{display:block;max-width:160px;max-height:120px;margin:.2em 0}" +
    "form{border-top:2px solid #ccc;margin-top:1em;padding-top:.5em}.hint{font-size:.9em;color:#555}a{color:#1a4d8f}";

  function Widget(el) {
    this.el = el;
    this.url = el.getAttribute("data-newsite-url") || location.href.split("#")[0];
    this.title = el.getAttribute("data-newsite-title") || document.title;
    this.ordering = "oldest";
    this.parent = null;
    var root = el.attachShadow ? el.attachShadow({ mode: "open" }) : el;
    // A constructed sheet is not an inline style: a host whose CSP forbids those still
    // shows the widget styled.
    try {
      var sheet = new CSSStyleSheet();
      sheet.replaceSync(CSS);
      root.adoptedStyleSheets = [sheet];
    } catch (e) { root.appendChild(h("style", { text: CSS })); }
    this.box = root.appendChild(h("div", { class: "newsite", lang: document.documentElement.lang || null }));
  }
  Widget.prototype.start = function () {
    var self = this;
    var query = "?url=" + encodeURIComponent(self.url) + "&title=" + encodeURIComponent(self.title);
    api("GET", "threads/" + query).then(function (thread) {
      self.thread = thread;
      self.base = "articles/" + encodeURIComponent(thread.slug) + "/";
      self.draw();
    }, function (error) {
      self.box.textContent = "";
      self.box.appendChild(h("p", { class: "err", role: "alert" }, [
        t("Comments are not available on this page."), " ", errorText(error),
      ]));
    });
  };
  Widget.prototype.draw = function () {
    var self = this;
    self.box.textContent = "";
    if (self.notice) self.box.appendChild(h("p", { class: "err", role: "alert", text: self.notice }));
    self.heading = h("h2");
    self.ratingBox = h("div", { class: "rating" });
    self.list = h("div", { "aria-live": "polite" });
    self.more = h("button", { type: "button", hidden: "", on: { click: function () { self.page(self.next); } } },
      [t("Load more comments")]);
    var orders = h("div", { class: "row", role: "group", "aria-label": t("Sort comments") });
    [["oldest", t("Oldest")], ["newest", t("Newest")], ["top", t("Most liked")]].forEach(function (o) {
      orders.appendChild(h("button", { type: "button", "aria-pressed": String(o[0] === self.ordering), on: {
        click: function () { self.ordering = o[0]; self.draw(); } } }, [o[1]]));
    });
    self.formBox = h("div");
    [self.heading, self.ratingBox, orders, self.list, self.more, self.formBox].forEach(function (n) {
      self.box.appendChild(n);
    });
    self.drawHeading();
    self.drawRating();
    self.drawForm();
    self.page(self.base + "comments/?ordering=" + self.ordering);
  };
  Widget.prototype.drawHeading = function () {
    var n = this.thread.comment_count;
    this.heading.textContent = fmt(t("Comments (%(n)s)"), { n: n });
    if (!n) this.heading.appendChild(h("p", { class: "hint", text: t("There are no comments posted here yet") }));
  };

  /* ---- rating ---- */
  Widget.prototype.drawRating = function (mine) {
    var self = this, rating = self.thread.rating, box = self.ratingBox;
    box.textContent = "";
    box.appendChild(h("p", { text: fmt(
      t("Rated %(average)s out of 5 based on %(count)s voter", "Rated %(average)s out of 5 based on %(count)s voters", rating.count),
      rating) }));
    if (!self.thread.ratings_enabled) return;
    var stars = h("div", { class: "row", role: "group", "aria-label": t("Rate this post") });
    [1, 2, 3, 4, 5].forEach(function (n) {
      var filled = n <= (mine || Math.round(rating.average));
      stars.appendChild(h("button", {
        type: "button", class: "star", "aria-pressed": String(n === mine),
        "aria-label": fmt(t("%(n)s star", "%(n)s stars", n), { n: n }),
        on: { click: function () { self.rate(n); } },
      }, [filled ? "\u2605" : "\u2606"]));
    });
    box.appendChild(stars);
  };
  Widget.prototype.rate = function (stars) {
    var self = this;
    var go = function () { return api("PUT", self.base + "rating/", { stars: stars }); };
    // A guest's first vote needs a voter token: any answer hands one out.
    (load("voter") || session ? go() : api("GET", self.base + "rating/").then(go))
      .then(function (data) {
        self.thread.rating = { average: data.average, count: data.count };
        self.drawRating(data.mine);
      }, function (error) { self.ratingBox.appendChild(h("p", { class: "err", role: "alert", text: errorText(error) })); });
  };

  /* ---- comments ---- */
  Widget.prototype.page = function (path) {
    var self = this;
    self.more.hidden = true;
    api("GET", path).then(function (data) {
      data.results.forEach(function (c) { self.list.appendChild(self.comment(c)); });
      self.next = data.next;
      self.more.hidden = !data.next;
    }, function (error) { self.list.appendChild(h("p", { class: "err", text: errorText(error) })); });
  };
  Widget.prototype.comment = function (c) {
    var self = this;
    var node = h("article", { class: "c", id: "newsite-c" + c.id });
    node.style.marginLeft = Math.min(c.depth || 0, 6) * 1.5 + "em";
    var author = c.author || {};
    var when = new Date(c.created_at);
    node.appendChild(h("p", { class: "meta" }, [
      h("strong", { text: author.name || t("[deleted]") }),
      author.badge === "staff" ? h("span", { class: "badge", text: t("Staff") }) : null,
      author.badge === "author" ? h("span", { class: "badge", text: t("Author") }) : null,
      c.is_featured ? h("span", { class: "badge", text: t("Newsroom pick") }) : null,
      " \u00b7 ", h("time", { datetime: c.created_at, text: when.toLocaleString() }),
      c.rating ? " \u00b7 " + "\u2605".repeat(c.rating) : null,
    ]));
    var body = h("div");
    body.innerHTML = c.body_html; // sanitised by newsite (safe Markdown subset)
    node.appendChild(body);
    (c.attachments || []).forEach(function (a) {
      // Thumbnails of public comments are served to other sites' pages (Cross-Origin-Resource-Policy).
      node.appendChild(h("p", {}, [h("a", { href: a.url, target: "_blank", rel: "noopener" }, [
        a.thumbnail_url ? h("img", { src: a.thumbnail_url, alt: "", class: "thumb", loading: "lazy" }) : null,
        "\ud83d\udcce " + a.name,
      ])]));
    });
    if (c.location) {
      node.appendChild(h("p", { class: "meta" }, [
        "\ud83d\udccd ", c.location.map_url ? h("a", { href: c.location.map_url, target: "_blank", rel: "noopener", text: c.location.name || t("Map") }) : c.location.name,
      ]));
    }
    if (c.is_deleted) return node;
    var like = h("button", { type: "button", "aria-pressed": "false", on: { click: function () { self.like(c, like); } } });
    like.textContent = fmt(t("Like (%(n)s)"), { n: c.like_count });
    var actions = h("div", { class: "row" }, [like]);
    if (self.thread.comments_open) {
      actions.appendChild(h("button", { type: "button", on: { click: function () {
        self.parent = c; self.drawForm(); self.body.focus();
      } } }, [t("Reply")]));
    }
    actions.appendChild(h("button", { type: "button", on: { click: function () { self.flagForm(c, node); } } }, [t("Flag")]));
    if (own(c)) {
      actions.appendChild(h("button", { type: "button", on: { click: function () { self.editForm(c, node, body); } } }, [t("Edit")]));
      actions.appendChild(h("button", { type: "button", on: { click: function () { self.deleteAsk(c, node); } } }, [t("Delete")]));
    }
    node.appendChild(actions);
    return node;
  };
  function tokenHeader(entry) { return entry.k ? { "X-Comment-Token": entry.k } : {}; }
  Widget.prototype.editForm = function (c, node, body) {
    var self = this, entry = own(c);
    if (!entry || node.querySelector("textarea")) return;
    var text = h("textarea", { rows: "4", maxlength: "5000" });
    text.value = entry.b || body.textContent;
    var out = h("p", { role: "status" });
    var form = h("div", {}, [h("label", {}, [t("Edit your comment"), text]), h("div", { class: "row" }, [
      h("button", { type: "button", on: { click: function () {
        api("PATCH", "comments/" + c.id + "/", { body: text.value }, tokenHeader(entry)).then(function (changed) {
          entry.b = text.value;
          saveMine();
          node.replaceWith(changed.status === "approved" ? self.comment(changed) : h("p", { class: "ok", role: "status",
            text: t("Thank you. Your comment will appear once a moderator approves it.") }));
        }, function (error) { out.className = "err"; out.textContent = errorText(error); });
      } } }, [t("Save")]),
      h("button", { type: "button", on: { click: function () { form.remove(); body.hidden = false; } } }, [t("Cancel")]),
    ]), out]);
    body.hidden = true;
    body.after(form);
    text.focus();
  };
  Widget.prototype.deleteAsk = function (c, node) {
    var self = this, entry = own(c);
    if (!entry) return;
    var ask = h("p", { role: "group", "aria-label": t("Delete this comment?") }, [t("Delete this comment?"), " ",
      h("button", { type: "button", on: { click: function () {
        api("DELETE", "comments/" + c.id + "/", null, tokenHeader(entry)).then(function () {
          delete mine[c.id];
          saveMine();
          node.replaceWith(h("p", { class: "ok", role: "status", text: t("Your comment was deleted.") }));
          self.thread.comment_count = Math.max(0, self.thread.comment_count - 1);
          self.drawHeading();
        }, function (error) { ask.appendChild(h("span", { class: "err", text: " " + errorText(error) })); });
      } } }, [t("Yes, delete")]),
      h("button", { type: "button", on: { click: function () { ask.remove(); } } }, [t("Cancel")]),
    ]);
    node.appendChild(ask);
  };
  Widget.prototype.withVoter = function (call) {
    return load("voter") || session ? call() : api("GET", "counts/?slug=" + this.thread.slug).then(call);
  };
  Widget.prototype.like = function (c, button) {
    var liked = button.getAttribute("aria-pressed") === "true";
    this.withVoter(function () { return api(liked ? "DELETE" : "POST", "comments/" + c.id + "/like/"); })
      .then(function (data) {
        button.setAttribute("aria-pressed", String(data.liked));
        button.textContent = fmt(t("Like (%(n)s)"), { n: data.like_count });
      }, function (error) { button.title = errorText(error); });
  };
  Widget.prototype.flagForm = function (c, node) {
    var self = this;
    var reason = h("select", { "aria-label": t("Reason") });
    [["spam", t("Spam")], ["abuse", t("Abuse")], ["off_topic", t("Off topic")], ["other", t("Other")]].forEach(function (r) {
      reason.appendChild(h("option", { value: r[0], text: r[1] }));
    });
    var out = h("p", { role: "status" });
    var form = h("div", { class: "row" }, [reason, h("button", { type: "button", on: { click: function () {
      self.withVoter(function () { return api("POST", "comments/" + c.id + "/flag/", { reason: reason.value }); })
        .then(function (data) { form.replaceWith(h("p", { class: "ok", role: "status", text: data.detail })); },
          function (error) { out.textContent = errorText(error); });
    } } }, [t("Send flag")]), out]);
    node.appendChild(form);
  };

  /* ---- the form ---- */
  Widget.prototype.drawForm = function () {
    var self = this;
    if (!self.formBox) return;
    self.formBox.textContent = "";
    if (!self.thread.comments_open) {
      self.formBox.appendChild(h("p", { text: t("Comments are closed for this page.") }));
      return;
    }
    var f = {};
    var field = function (name, label, input) {
      f[name] = input;
      return h("label", {}, [label, input]);
    };
    var who = session
      ? h("p", {}, [fmt(t("Posting as %(name)s."), { name: session.name }), " ",
        h("button", { type: "button", on: { click: logout } }, [t("Sign out")])])
      : h("div", {}, [
        h("p", { class: "hint" }, [t("Posting comment as a guest."), " ",
          h("button", { type: "button", on: { click: function () {
            if (popupLogin()) return;
            status.className = "err";
            status.textContent = t("Allow pop-up windows for this page to log in.");
          } } }, [t("Log in with newsite")])]),
        field("name", t("Name"), h("input", { name: "name", required: "", maxlength: "80", autocomplete: "name", value: load("name") || "" })),
        field("email", t("Email (never shown)"), h("input", { name: "email", type: "email", required: "", autocomplete: "email", value: load("email") || "" })),
      ]);
    self.body = h("textarea", { name: "body", required: "", rows: "4", maxlength: "5000" });
    var stars = h("select", { name: "rating" }, [h("option", { value: "", text: t("Rate this post (optional)") })]);
    [5, 4, 3, 2, 1].forEach(function (n) { stars.appendChild(h("option", { value: n, text: "\u2605".repeat(n) })); });
    var files = h("input", { type: "file", name: "attachments", multiple: "", accept: "image/*,application/pdf" });
    var place = h("input", { name: "place", placeholder: t("Place name") });
    var coords = null;
    var locate = h("button", { type: "button", on: { click: function () {
      if (!navigator.geolocation) return;
      navigator.geolocation.getCurrentPosition(function (p) {
        coords = { latitude: +p.coords.latitude.toFixed(4), longitude: +p.coords.longitude.toFixed(4) };
        api("GET", "geocode/reverse/?latitude=" + coords.latitude + "&longitude=" + coords.longitude)
          .then(function (d) { if (!place.value) place.value = d.name; }, function () {});
      });
    } } }, [t("Use my location")]);
    var status = h("p", { role: "status" });
    var replying = self.parent ? h("p", { class: "hint" }, [
      fmt(t("Replying to %(name)s."), { name: (self.parent.author || {}).name || "" }), " ",
      h("button", { type: "button", on: { click: function () { self.parent = null; self.drawForm(); } } }, [t("Cancel")]),
    ]) : null;
    var form = h("form", { novalidate: "", on: { submit: function (ev) {
      ev.preventDefault();
      var data = { body: self.body.value };
      if (self.parent) data.parent = self.parent.id;
      if (f.name) { data.name = f.name.value; data.email = f.email.value; save("name", data.name); save("email", data.email); }
      if (stars.value) data.rating = +stars.value;
      if (coords || place.value) data.location = Object.assign({ name: place.value }, coords || {});
      var body = data;
      if (files.files.length) {
        body = new FormData();
        Object.keys(data).forEach(function (k) {
          body.append(k, typeof data[k] === "object" ? JSON.stringify(data[k]) : data[k]);
        });
        Array.prototype.forEach.call(files.files, function (file) { body.append("attachments", file); });
      }
      status.className = "";
      status.textContent = t("Sending…");
      api("POST", self.base + "comments/", body, { "Idempotency-Key": String(Date.now()) + Math.random() })
        .then(function (c) {
          if (c.trust_token) save("trust", c.trust_token);
          if (self.thread.edit_window) {
            mine[c.id] = { k: c.edit_token || "", b: data.body, u: Date.now() + self.thread.edit_window * 1000 };
            saveMine();
          }
          self.parent = null;
          self.drawForm();
          if (c.status === "approved") {
            self.list.appendChild(self.comment(c));
            self.thread.comment_count += 1;
            self.drawHeading();
          }
          self.formStatus.className = "ok";
          self.formStatus.textContent = c.status === "approved"
            ? t("Thank you. Your comment is published.")
            : t("Thank you. Your comment will appear once a moderator approves it.");
        }, function (error) {
          status.className = "err";
          status.textContent = errorText(error);
        });
    } } }, [
      h("h2", { text: t("Leave your comments") }), replying, who,
      h("label", {}, [t("Comment"), self.body]),
      h("label", {}, [t("Rating"), stars]),
      h("label", {}, [fmt(t("Attachments (up to %(n)s)"), { n: 3 }), files]),
      h("div", {}, [h("label", {}, [t("Share Your Location"), place]), locate]),
      h("button", { type: "submit" }, [t("Submit")]), status,
    ]);
    self.formStatus = status;
    self.formBox.appendChild(form);
  };

  function mount() {
    var fresh = [];
    Array.prototype.forEach.call(document.querySelectorAll("[data-newsite-url]"), function (el) {
      if (el.newsiteWidget) return;
      el.newsiteWidget = true;
      fresh.push(new Widget(el));
    });
    widgets = widgets.concat(fresh);
    var start = function () { fresh.forEach(function (w) { w.start(); }); };
    // Signed in first, then drawn: the form shows the reader's name from the start.
    var sso = document.querySelector("[data-newsite-sso]");
    var token = sso && sso.getAttribute("data-newsite-sso");
    if (!token || session) return start();
    login(token).then(start, function (error) {
      fresh.forEach(function (w) { w.notice = errorText(error); });
      start();
    });
  }
  var queued = (window.newsite && window.newsite.q) || [];
  window.newsite = { login: login, logout: logout, mount: mount };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", mount);
  else mount();
  queued.forEach(function (call) { window.newsite[call[0]].apply(null, call[1] || []); });
})();
